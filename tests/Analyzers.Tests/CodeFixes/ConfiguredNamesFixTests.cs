using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.CodeFixes;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer, GfnGuard.CodeFixes.BothFlagsSetCodeFixProvider>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer, GfnGuard.CodeFixes.MoveReclaimAfterUnlockCodeFixProvider>;
using SharedOnly = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer, GfnGuard.CodeFixes.MakeRangeSharedOnlyCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>
/// A name added in .editorconfig reaches the fixes as it reaches the rules: for each option key
/// a rule reads, the diagnostic it raises on a configured name gets its fix (with Fix All). The
/// fixers once kept their own lists, so a reclaim under a configured lock was reported with no fix.
/// </summary>
public sealed class ConfiguredNamesFixTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    [Fact]
    public Task MmuLockMembers_TheReclaimUnderAConfiguredLock_IsMoved() => Reclaim.VerifyFixAsync(Prelude + """
        sealed class Vm { public object PageTableLock = new object(); }
        static class C
        {
            static void M(Vm vm, kvm kvm)
            {
                spin_lock(vm.PageTableLock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                spin_unlock(vm.PageTableLock);
            }
        }
        """, Prelude + """
        sealed class Vm { public object PageTableLock = new object(); }
        static class C
        {
            static void M(Vm vm, kvm kvm)
            {
                spin_lock(vm.PageTableLock);
                spin_unlock(vm.PageTableLock);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey, editorConfig: "gfnguard.mmu_lock_members = Vm.PageTableLock");

    [Fact]
    public Task MmuLockMembers_ALockStatementOnAConfiguredLock_IsAReleasePoint() => Reclaim.VerifyFixAsync(Prelude + """
        sealed class Vm { public readonly object PageTableLock = new object(); }
        static class C
        {
            static void M(Vm vm, kvm kvm)
            {
                lock (vm.PageTableLock)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
            }
        }
        """, Prelude + """
        sealed class Vm { public readonly object PageTableLock = new object(); }
        static class C
        {
            static void M(Vm vm, kvm kvm)
            {
                lock (vm.PageTableLock)
                {
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey, editorConfig: "gfnguard.mmu_lock_members = PageTableLock");

    [Fact]
    public Task ReclaimMethods_TwoConfiguredReclaims_MoveInOrder() => Reclaim.VerifyFixAsync(Prelude + """
        static class C
        {
            static void FlushAll() { }
            static void my_reclaim(kvm kvm) { }

            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:my_reclaim(kvm)|};
                {|KVM0003:FlushAll()|};
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, Prelude + """
        static class C
        {
            static void FlushAll() { }
            static void my_reclaim(kvm kvm) { }

            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                my_reclaim(kvm);
                FlushAll();
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey, editorConfig: "gfnguard.reclaim_methods = my_reclaim, FlushAll");

    [Fact]
    public Task HvaPathMethods_TheRangeOfAConfiguredPath_IsMadeSharedOnly() => SharedOnly.VerifyFixAsync(Prelude + """
        static class Sim
        {
            static void OnSwapOut(kvm kvm)
            {
                var r = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }
        }
        """, Prelude + """
        static class Sim
        {
            static void OnSwapOut(kvm kvm)
            {
                var r = new kvm_gfn_range() { only_private = false, only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey, editorConfig: "gfnguard.hva_path_methods = Sim.OnSwapOut");

    [Fact]
    public Task GfnRangeTypes_AConfiguredRangeType_GetsTheSharedOnlyFix() => SharedOnly.VerifyFixAsync(Prelude + """
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        static class Sim
        {
            static void zap(kvm kvm, ref ZapFilter filter) { }

            static void kvm_mmu_notifier_release(kvm kvm)
            {
                var f = new ZapFilter();
                {|KVM0002:zap(kvm, ref f)|};
            }
        }
        """, Prelude + """
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        static class Sim
        {
            static void zap(kvm kvm, ref ZapFilter filter) { }

            static void kvm_mmu_notifier_release(kvm kvm)
            {
                var f = new ZapFilter() { OnlyPrivate = false, OnlyShared = true };
                zap(kvm, ref f);
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey, editorConfig: "gfnguard.gfn_range_types = ZapFilter");

    [Fact]
    public Task GfnRangeTypes_AConfiguredRangeType_GetsTheBothFlagsFix() => BothFlags.VerifyFixAsync(Prelude + """
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        static class Sim
        {
            static ZapFilter M() => new ZapFilter { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """, Prelude + """
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        static class Sim
        {
            static ZapFilter M() => new ZapFilter { OnlyPrivate = false, OnlyShared = true };
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey, editorConfig: "gfnguard.gfn_range_types = ZapFilter");

    /// <summary>gfnguard.gmem_path_methods reaches the KVM0001 fix: on a configured guest_memfd path the first fix keeps the private flag.</summary>
    [Fact]
    public Task GmemPathMethods_TheFirstFixOnAConfiguredPath_KeepsOnlyPrivate()
    {
        var test = new BothFlags.Test
        {
            TestCode = """
                using GfnGuard.Runtime;
                static class Sim
                {
                    static KvmGfnRange OnPunchHole() => new KvmGfnRange { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
                }
                """,
            FixedCode = """
                using GfnGuard.Runtime;
                static class Sim
                {
                    static KvmGfnRange OnPunchHole() => new KvmGfnRange { OnlyPrivate = true, OnlyShared = false };
                }
                """,
            CodeActionIndex = 0,
        };
        var config = ("/.editorconfig", "root = true\n\n[*.cs]\ngfnguard.gmem_path_methods = Sim.OnPunchHole\n");
        test.TestState.AnalyzerConfigFiles.Add(config);
        test.FixedState.AnalyzerConfigFiles.Add(config);
        return test.RunAsync(System.Threading.CancellationToken.None);
    }
}
