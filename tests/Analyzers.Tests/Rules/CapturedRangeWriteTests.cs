using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// SPEC 2: code in a lambda or local function runs where it is invoked, "and what it does (take
/// the lock, reclaim, set a flag) happens there". A call that runs one applies what it leaves in
/// the ranges it captured, as a helper's effect on a `ref` range is applied, bound to the call's
/// arguments. Before, any call only forgot what a nested function writes (it may have run it or
/// not), so `void share() { r.only_shared = true; r.only_private = false; } share();` left the
/// range unknown: a KVM0002 at Error on a range that is shared-only.
/// </summary>
public sealed class CapturedRangeWriteTests
{
    private static string Port(string body) => "using static Kernel;\n" + KernelPort.Declarations + "\n" + body;

    [Fact]
    public Task AFunctionTheCallRuns_LeavesItsStoresInTheRange() => HvaShared.VerifyAsync(Port("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_local_function(kvm kvm)
            {
                var range = new kvm_gfn_range();
                void share() { range.only_private = false; range.only_shared = true; }
                share();
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_lambda_in_a_local(kvm kvm)
            {
                var range = new kvm_gfn_range();
                System.Action share = () => range.only_shared = true;
                share();
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_by_argument(kvm kvm)
            {
                var range = new kvm_gfn_range();
                void side(bool shared) { range.only_shared = shared; range.only_private = !shared; }
                side(true);
                kvm_unmap_gfn_range(kvm, ref range);
                side(false);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_lambda_by_argument(kvm kvm)
            {
                var range = new kvm_gfn_range();
                System.Action<bool> side = shared => { range.only_shared = shared; range.only_private = !shared; };
                side(true);
                kvm_unmap_gfn_range(kvm, ref range);
                side(false);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_for_each_element(kvm kvm, System.Collections.Generic.List<bool> sides)
            {
                var range = new kvm_gfn_range();
                sides.ForEach(shared => { range.only_shared = shared; range.only_private = !shared; });
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_maybe_never_run(kvm kvm, System.Collections.Generic.List<kvm_memory_slot> slots)
            {
                var range = new kvm_gfn_range { only_private = true };
                slots.ForEach(slot => { range.only_private = false; range.only_shared = true; });
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_from_what_it_held(kvm kvm)
            {
                var range = new kvm_gfn_range { only_shared = true };
                void settle() { range.only_private = !range.only_shared; }
                settle();
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """), null, withRuntime: true);

    [Fact]
    public Task ACallThatMayNotRunIt_StillForgets() => HvaShared.VerifyAsync(Port("""
        static class KvmMain
        {
            static System.Collections.Generic.List<System.Action> later = new System.Collections.Generic.List<System.Action>();

            static void kvm_mmu_notifier_stored(kvm kvm)
            {
                var range = new kvm_gfn_range { only_shared = true };
                later.Add(() => range.only_private = true);
                later[0]();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_reassigned(kvm kvm, bool wide)
            {
                var range = new kvm_gfn_range();
                System.Action set = () => { range.only_private = false; range.only_shared = true; };
                if (wide) set = () => { };
                set();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_two_writers(kvm kvm)
            {
                var range = new kvm_gfn_range();
                void share() { range.only_private = false; range.only_shared = true; }
                later.Add(() => range.only_private = true);
                share();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """), null, withRuntime: true);

    [Fact]
    public Task AFunctionThatSetsTheSecondFlag_IsReportedWhereItRuns() => BothFlags.VerifyAsync(Port("""
        static class Mmu
        {
            static void for_each_side(kvm kvm, System.Collections.Generic.List<bool> sides)
            {
                var range = new kvm_gfn_range();
                sides.ForEach(shared => { range.only_shared = shared; range.only_private = !shared; });
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void widened(kvm kvm)
            {
                var range = new kvm_gfn_range { only_shared = true };
                void widen() { range.only_private = true; }
                {|KVM0001:widen()|};
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void cleared_first(kvm kvm)
            {
                var range = new kvm_gfn_range { only_shared = true };
                void make_private() { range.only_shared = false; range.only_private = true; }
                make_private();
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """), null, withRuntime: true);

    [Fact]
    public Task OnAGuestMemfdPath_TheSameHolds() => GmemPrivate.VerifyAsync(Port("""
        static class Gmem
        {
            static void kvm_gmem_invalidate_begin(kvm kvm)
            {
                var range = new kvm_gfn_range();
                void make_private() { range.only_shared = false; range.only_private = true; }
                make_private();
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """), null, withRuntime: true);
}
