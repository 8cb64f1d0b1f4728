using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaRange = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A role reached through a using alias (a port's typedef, `using gfn_range_t = kvm_gfn_range;`),
/// in the same file or as a global alias in another: the body never spells the role's own
/// name, so the syntax gate must learn the alias, or it would skip the body unread.
/// </summary>
public sealed class UsingAliasTests
{
    private const string PositionalRange = "public record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared);\n";

    /// <summary>KVM0001 over these files, without the runtime: the ranges are the port's own.</summary>
    private static Task VerifyBothFlagsAsync(params (string Path, string Text)[] sources)
    {
        var test = new BothFlags.Test();
        test.TestState.AdditionalReferences.Clear();
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        return BothFlags.VerifyAsync(test);
    }

    [Fact]
    public Task RangeTypeThroughAGlobalAliasInAnotherFile_Reports()
    {
        return VerifyBothFlagsAsync(
            ("/Port.cs", """
                static class Port
                {
                    static Range Make() => new Range(0, 1, true, {|KVM0001:true|});
                }
                """),
            ("/Range.cs", PositionalRange),
            ("/Aliases.cs", "global using Range = KvmGfnRange;\n"));
    }

    [Fact]
    public Task RangeTypeThroughAnAliasOfTheFile_Reports()
    {
        return VerifyBothFlagsAsync(
            ("/Port.cs", """
                using gfn_range_t = Kvm.KvmGfnRange;

                static class Port
                {
                    static gfn_range_t Make() => new gfn_range_t(0, 1, true, {|KVM0001:true|});
                }
                """),
            ("/Range.cs", "namespace Kvm;\n" + PositionalRange));
    }

    [Fact]
    public Task ConstructorDefaultThroughAnAlias_Reports()
    {
        // Port.cs spells one flag; the other comes from the hand-written constructor of the
        // type the alias names, called with its optional argument left out.
        return VerifyBothFlagsAsync(
            ("/Port.cs", """
                static class Port
                {
                    static Range Make()
                    {
                        var range = new Range();
                        {|KVM0001:range.only_shared = true|};
                        return range;
                    }
                }
                """),
            ("/Range.cs", "public class kvm_gfn_range\n{\n    public ulong start;\n    public bool only_private, only_shared;\n    public kvm_gfn_range(ulong start = 0) { this.start = start; only_private = true; }\n}\n"),
            ("/Aliases.cs", "global using Range = kvm_gfn_range;\n"));
    }

    [Fact]
    public Task AliasOfAnAlias_Reports()
    {
        // A namespace's alias may name a global alias of another file.
        return VerifyBothFlagsAsync(
            ("/Port.cs", """
                namespace Kvm
                {
                    namespace Ports
                    {
                        using R = Range;

                        static class Port
                        {
                            static R Make() => new R(0, 1, true, {|KVM0001:true|});
                        }
                    }
                }
                """),
            ("/Range.cs", PositionalRange),
            ("/Aliases.cs", "global using Range = KvmGfnRange;\n"));
    }

    [Fact]
    public Task ReclaimAttributeThroughAnAliasOfAGlobalAlias_Reports()
    {
        var test = new Reclaim.Test();
        test.TestState.Sources.Add(("/Port.cs", """
            using static Kernel;

            static class Port
            {
                static void M(kvm kvm)
                {
                    KVM_MMU_LOCK(kvm);
                    {|KVM0003:Flushes.Flush.flush_caches()|};
                    KVM_MMU_UNLOCK(kvm);
                }
            }
            """));
        // The attribute is written under a namespace's alias of the global alias.
        test.TestState.Sources.Add(("/Flush.cs", """
            namespace Flushes
            {
                using FlushesGuestMemory = Reclaims;

                static class Flush { [FlushesGuestMemory] internal static void flush_caches() { } }
            }
            """));
        test.TestState.Sources.Add(("/Aliases.cs", "global using Reclaims = GfnGuard.Runtime.ReclaimsGuestMemoryAttribute;\n"));
        test.TestState.Sources.Add(("/Kernel.cs", "using System.Threading;\n" + KernelPort.Declarations));
        return Reclaim.VerifyAsync(test);
    }

    [Fact]
    public Task LockAttributeThroughAnAlias_Reports()
    {
        var test = new Reclaim.Test();
        test.TestState.Sources.Add(("/Port.cs", """
            using static Kernel;

            static class Port
            {
                static void M(kvm kvm)
                {
                    Locks.take(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    Locks.drop(kvm);
                }
            }
            """));
        test.TestState.Sources.Add(("/Locks.cs", """
            using Takes = GfnGuard.Runtime.AcquiresMmuLockAttribute;
            using Drops = GfnGuard.Runtime.ReleasesMmuLockAttribute;

            static class Locks
            {
                [Takes] internal static void take(kvm kvm) { }
                [Drops] internal static void drop(kvm kvm) { }
            }
            """));
        test.TestState.Sources.Add(("/Kernel.cs", "using System.Threading;\n" + KernelPort.Declarations));
        return Reclaim.VerifyAsync(test);
    }

    [Fact]
    public Task HvaRangeParameterThroughAGlobalAlias_Reports()
    {
        var test = new HvaRange.Test();
        test.TestState.AdditionalReferences.Clear();
        test.TestState.Sources.Add(("/Port.cs", """
            static class Port
            {
                static void unmap(Range range) { }

                static void on_invalidate(NotifierRange hva)
                {
                    var range = new Range(hva.Start, hva.End, false, false);
                    {|KVM0002:unmap(range)|};
                }
            }
            """));
        test.TestState.Sources.Add(("/Range.cs", PositionalRange + "public record struct mmu_notifier_range(ulong Start, ulong End);\n"));
        test.TestState.Sources.Add(("/Aliases.cs", "global using Range = KvmGfnRange;\nglobal using NotifierRange = mmu_notifier_range;\n"));
        return HvaRange.VerifyAsync(test);
    }
}
