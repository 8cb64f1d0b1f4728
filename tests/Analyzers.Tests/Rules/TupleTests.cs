using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// Tuples (SPEC section 2): a deconstruction stores each element of the tuple on the right into
/// the target at its position, the whole right side evaluated first. It was not followed at all:
/// <c>var (p, s) = (false, true);</c> left both unknown, so a range built from them was reported.
/// </summary>
public sealed class TupleTests
{
    private static string Port(string body) => "using static Kernel;\n" + KernelPort.Declarations + "\n" + body;

    [Fact]
    public Task DeconstructedFlags_AreFollowed_OnHvaPaths() => HvaShared.VerifyAsync(Port("""
        static class KvmMain
        {
            static (bool, bool) sides() => (false, true);

            static bool kvm_mmu_notifier_clear_young(kvm kvm, gfn_handler_t handler)
            {
                var (p, s) = (false, true);
                var r = new kvm_gfn_range { only_private = p, only_shared = s };
                var ret = handler(kvm, ref r);
                var t = new kvm_gfn_range();
                (t.only_private, t.only_shared) = (false, true);
                ret |= handler(kvm, ref t);
                (p, s) = (s, p);
                var u = new kvm_gfn_range { only_private = p, only_shared = s };
                ret |= {|KVM0002:handler(kvm, ref u)|};
                var (a, _) = (false, 0);
                var (q, w) = sides();
                var v = new kvm_gfn_range { only_private = a, only_shared = w };
                return ret | {|KVM0002:handler(kvm, ref v)|};
            }
        }
        """));

    [Fact]
    public Task BothFlagsByDeconstruction_Report() => BothFlags.VerifyAsync(Port("""
        static class C
        {
            static kvm_gfn_range both()
            {
                var r = new kvm_gfn_range();
                {|KVM0001:(r.only_private, r.only_shared) = (true, true)|};
                return r;
            }

            static kvm_gfn_range fine(bool shared)
            {
                var r = new kvm_gfn_range();
                (r.only_private, r.only_shared) = (!shared, shared);
                return r;
            }
        }
        """));

    /// <summary>
    /// A right side that is no tuple literal, or a value that is discarded, still runs: a call there
    /// that reclaims under the lock is reported.
    /// </summary>
    [Fact]
    public Task TheRightSideOfADeconstruction_Runs() => Reclaim.VerifyAsync(Port("""
        static class C
        {
            static (bool, int) reclaim_pair(kvm kvm)
            {
                kvm_arch_guest_memory_reclaimed(kvm);
                return (true, 0);
            }

            static int reclaim_one(kvm kvm)
            {
                kvm_arch_guest_memory_reclaimed(kvm);
                return 0;
            }

            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var (a, b) = {|KVM0003:reclaim_pair(kvm)|};
                var (c, _) = (a, {|KVM0003:reclaim_one(kvm)|});
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """));
}
