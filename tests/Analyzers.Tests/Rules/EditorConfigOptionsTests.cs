using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaPath = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// The <c>gfnguard.*</c> .editorconfig options as users write them: comma lists with spaces,
/// qualified and <c>global::</c> names, sections that cover only some folders.
/// </summary>
public sealed class EditorConfigOptionsTests
{
    private const string SimRange = """
        namespace Sim.Mmu
        {
            public struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        }
        """;

    [Theory]
    [InlineData("gfnguard.gfn_range_types = Sim.Mmu.ZapFilter")]
    [InlineData("gfnguard.gfn_range_types = ZapFilter")]
    [InlineData("gfnguard.gfn_range_types = global::Sim.Mmu.ZapFilter")]
    [InlineData("gfnguard.gfn_range_types =  Other ,ZapFilter,  More ")]
    public Task GfnRangeTypes_AcceptsEveryNameForm(string option) => BothFlags.VerifyAsync(SimRange + """

        class C
        {
            Sim.Mmu.ZapFilter M() => new Sim.Mmu.ZapFilter { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """, option, withRuntime: false);

    [Theory]
    [InlineData("gfnguard.gfn_range_types =")]
    [InlineData("gfnguard.gfn_range_types = , ; ,")]
    [InlineData("gfnguard.gfn_range_types = Sim.Other.ZapFilter")]
    [InlineData("gfnguard.gfn_range_types = Zap")]
    [InlineData("gfnguard.gfn_range_types = Other ; ZapFilter")] // ';' starts an .editorconfig comment
    public Task GfnRangeTypes_EmptyOrOtherNames_MakeNothingARange(string option) => BothFlags.VerifyAsync(SimRange + """

        class C
        {
            Sim.Mmu.ZapFilter M() => new Sim.Mmu.ZapFilter { OnlyPrivate = true, OnlyShared = true };
        }
        """, option, withRuntime: false);

    [Fact]
    public Task Options_ApplyOnlyToTheFilesTheirSectionCovers()
    {
        var test = new BothFlags.Test();
        test.TestState.AdditionalReferences.Clear();
        test.TestState.Sources.Add(("/src/Sim/Range.cs", SimRange));
        test.TestState.Sources.Add(("/src/Sim/Port.cs", """
            class Port
            {
                Sim.Mmu.ZapFilter M() => new Sim.Mmu.ZapFilter { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
            }
            """));
        test.TestState.Sources.Add(("/src/Tools/Dump.cs", """
            class Dump
            {
                Sim.Mmu.ZapFilter M() => new Sim.Mmu.ZapFilter { OnlyPrivate = true, OnlyShared = true };
            }
            """));
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[/src/Sim/*.cs]\ngfnguard.gfn_range_types = Sim.Mmu.ZapFilter\n"));
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task HvaPathMethods_SimpleAndQualifiedNames() => HvaPath.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """

        static class Sim
        {
            static void OnSwapOut(kvm kvm)
            {
                var r = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }

            static void OnMigrate(kvm kvm)
            {
                var r = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }

            static void OnConvert(kvm kvm)
            {
                var r = new kvm_gfn_range();
                kvm_unmap_gfn_range(kvm, ref r);
            }
        }

        static class Other
        {
            static void OnMigrate(kvm kvm)
            {
                var r = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }
        }
        """, "gfnguard.hva_path_methods = Sim.OnSwapOut, OnMigrate");

    [Fact]
    public Task MmuLockMembersAndReclaimMethods_Together() => Reclaim.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """

        sealed class Vm { public object PageTableLock = new object(); public object StatsLock = new object(); public kvm K = new kvm(); }
        static class C
        {
            static void my_reclaim(Vm vm) { }
            static void FlushAll() { }

            static void Locked(Vm vm)
            {
                spin_lock(vm.PageTableLock);
                {|KVM0003:my_reclaim(vm)|};
                {|KVM0003:FlushAll()|};
                spin_unlock(vm.PageTableLock);
            }

            static void OtherLock(Vm vm)
            {
                spin_lock(vm.StatsLock);
                my_reclaim(vm);
                spin_unlock(vm.StatsLock);
            }
        }
        """, "gfnguard.mmu_lock_members = Vm.PageTableLock\ngfnguard.reclaim_methods = my_reclaim, FlushAll");
}
