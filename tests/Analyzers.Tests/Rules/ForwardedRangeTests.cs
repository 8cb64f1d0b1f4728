using System.Threading.Tasks;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// SPEC 2: "A range a method received as a parameter and passes on without changing its filter is
/// checked where it was built (at the callers in the compilation), not in the method that forwards
/// it." A path helper that forwards its range (a port that moves __kvm_handle_hva_range's loop body
/// into a helper), a local function or a lambda the path only calls: the calls are checked with
/// the range each passes. Each was a false KVM0002 in the helper, reported besides at the call when
/// the caller's range was wrong. A helper whose every caller is no path, one with no caller, one
/// that changes the range first, and a lambda handed to another method are still checked themselves.
/// </summary>
public sealed class ForwardedRangeTests
{
    private static Task VerifyPort(string body) =>
        HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    [Fact]
    public Task APathHelperThatForwardsItsRange_IsCheckedAtItsCalls() => VerifyPort("""
        static class KvmMain
        {
            // An HVA path by its parameter: the loop body of __kvm_handle_hva_range.
            static bool handle_one(kvm kvm, in mmu_notifier_range hva, ref kvm_gfn_range gfn_range) => kvm_unmap_gfn_range(kvm, ref gfn_range);

            static bool handle_one_guarded(kvm kvm, in mmu_notifier_range hva, kvm_gfn_range gfn_range)
            {
                if (!gfn_range.only_shared)
                    return false;
                return kvm_unmap_gfn_range(kvm, ref gfn_range);
            }

            static bool __kvm_handle_hva_range(kvm kvm, in mmu_notifier_range hva)
            {
                var ret = false;
                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, hva.start, hva.end - 1))
                {
                    var gfn_range = new kvm_gfn_range { slot = slot, start = hva.start, end = hva.end, only_private = false, only_shared = true };
                    ret |= handle_one(kvm, hva, ref gfn_range);
                    ret |= handle_one_guarded(kvm, hva, gfn_range);
                }

                return ret;
            }

            static bool kvm_mmu_notifier_clear_young(kvm kvm, mmu_notifier_range hva)
            {
                var gfn_range = new kvm_gfn_range { start = hva.start, end = hva.end };
                return {|KVM0002:handle_one(kvm, hva, ref gfn_range)|};
            }
        }
        """);

    [Fact]
    public Task AHelperThatChangesTheRangeOrHasNoPathCaller_IsCheckedItself() => VerifyPort("""
        static class KvmMain
        {
            static void make_private(ref kvm_gfn_range r) { r.only_private = true; r.only_shared = false; }

            static bool writes_a_flag(kvm kvm, in mmu_notifier_range hva, kvm_gfn_range r)
            {
                r.only_private = true;
                return {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }

            static bool through_a_helper_that_sets_flags(kvm kvm, in mmu_notifier_range hva, kvm_gfn_range r)
            {
                make_private(ref r);
                return {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }

            // Its only caller is no HVA path: nothing checks the range there.
            static bool called_from_elsewhere(kvm kvm, in mmu_notifier_range hva, kvm_gfn_range r) => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};

            static bool not_a_path(kvm kvm, kvm_gfn_range r) => called_from_elsewhere(kvm, default, r);

            static bool never_called(kvm kvm, in mmu_notifier_range hva, kvm_gfn_range r) => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};

            static bool __kvm_handle_hva_range(kvm kvm, in mmu_notifier_range hva)
            {
                var gfn_range = new kvm_gfn_range { only_shared = true };
                return writes_a_flag(kvm, hva, gfn_range) | through_a_helper_that_sets_flags(kvm, hva, gfn_range);
            }
        }
        """);

    [Fact]
    public Task ALocalFunctionOrLambdaThePathOnlyCalls_IsCheckedAtItsCalls() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_local_function(kvm kvm, ulong start, ulong end)
            {
                bool zap(ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

                var shared = new kvm_gfn_range { start = start, end = end, only_shared = true };
                zap(ref shared);
                var neither = new kvm_gfn_range { start = start, end = end };
                {|KVM0002:zap(ref neither)|};
            }

            static void kvm_mmu_notifier_lambda(kvm kvm, ulong start, ulong end)
            {
                System.Func<kvm_gfn_range, bool> zap = range => kvm_unmap_gfn_range(kvm, ref range);
                zap(new kvm_gfn_range { start = start, end = end, only_shared = true });
                {|KVM0002:zap(new kvm_gfn_range { start = start, end = end, only_private = true })|};
            }

            // Handed to another method, the lambda may run with any range. ForEach runs it here,
            // though the body itself passes no range.
            static void kvm_mmu_notifier_for_each(kvm kvm, System.Collections.Generic.List<kvm_gfn_range> ranges)
            {
                ranges.ForEach(range => {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|});
            }

            static void kvm_mmu_notifier_array_for_each(kvm kvm, kvm_gfn_range[] ranges)
            {
                System.Array.ForEach(ranges, range => { {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|}; });
            }

            static void kvm_mmu_notifier_method_group(kvm kvm, ulong start, ulong end)
            {
                bool zap(kvm_gfn_range range) => {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};

                System.Func<kvm_gfn_range, bool> later = zap;
                later(new kvm_gfn_range { only_shared = true });
            }
        }
        """);
}
