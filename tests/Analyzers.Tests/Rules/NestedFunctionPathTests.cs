using System.Threading.Tasks;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// SPEC 2: "Code inside a lambda or local function runs when it is invoked, not where it is
/// written ... invoking it (directly, immediately, through a local that holds it, or through
/// List&lt;T&gt;.ForEach / Array.ForEach) is, and what it does ... happens there." For KVM0002 and
/// KVM0005 a nested function is on the path exactly when the path runs it. Before, whether one was
/// checked hung on whether the body itself passed a range: a returned, stored or never-called
/// function was then checked (false reports), and a function the path runs was not checked when
/// the body passed no range of its own (misses). And a range the function captured, which the
/// function's own graph sees as unknown, is checked where the function is invoked, with what the
/// range holds there (it was a false report on every captured shared-only range).
/// </summary>
public sealed class NestedFunctionPathTests
{
    private static Task VerifyPort(string body) =>
        HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    private static Task VerifyGmem(string body) =>
        GmemPrivate.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    [Fact]
    public Task AFunctionThePathDoesNotRun_IsNotThePaths() => VerifyPort("""
        static class KvmMain
        {
            static System.Collections.Generic.List<System.Action> deferred = new System.Collections.Generic.List<System.Action>();

            static System.Action kvm_mmu_notifier_returned(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                return () => { var q = new kvm_gfn_range(); kvm_unmap_gfn_range(kvm, ref q); };
            }

            static void kvm_mmu_notifier_stored(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                deferred.Add(() => { var q = new kvm_gfn_range { only_private = true }; kvm_unmap_gfn_range(kvm, ref q); });
            }

            static void kvm_mmu_notifier_never_called(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                void zap() { var q = new kvm_gfn_range { only_private = true }; kvm_unmap_gfn_range(kvm, ref q); }
            }
        }
        """);

    [Fact]
    public Task AFunctionThePathRuns_IsChecked_ThoughTheBodyPassesNoRangeItself() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_through_a_local(kvm kvm)
            {
                System.Action a = () => { var q = new kvm_gfn_range { only_private = true }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; };
                a();
            }

            static void kvm_mmu_notifier_called(kvm kvm)
            {
                void zap() { var q = new kvm_gfn_range { only_private = true }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; }
                zap();
            }

            static void kvm_mmu_notifier_immediately(kvm kvm)
            {
                ((System.Action)(() => { var q = new kvm_gfn_range { only_private = true }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; }))();
            }

            static void kvm_mmu_notifier_run_by_one_it_runs(kvm kvm)
            {
                void outer() { void inner() { var q = new kvm_gfn_range { only_private = true }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; } inner(); }
                outer();
            }
        }
        """);

    [Fact]
    public Task ACapturedRange_IsCheckedWhereTheFunctionRuns() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_local_function(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                bool zap() => kvm_unmap_gfn_range(kvm, ref r);
                zap();
            }

            static void kvm_mmu_notifier_held_lambda(kvm kvm, gfn_handler_t handler)
            {
                var r = new kvm_gfn_range { only_shared = true };
                System.Func<bool> zap = () => handler(kvm, ref r);
                zap();
            }

            static void kvm_mmu_notifier_for_each(kvm kvm, System.Collections.Generic.List<kvm_memory_slot> slots)
            {
                var r = new kvm_gfn_range { only_shared = true };
                slots.ForEach(slot => { r.slot = slot; r.start = slot.base_gfn; kvm_unmap_gfn_range(kvm, ref r); });
            }

            static void kvm_mmu_notifier_nested(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                void outer() { void inner() => kvm_unmap_gfn_range(kvm, ref r); inner(); }
                outer();
            }

            static void kvm_mmu_notifier_for_each_private(kvm kvm, System.Collections.Generic.List<kvm_memory_slot> slots)
            {
                var r = new kvm_gfn_range { only_private = true };
                slots.ForEach(slot => { r.slot = slot; {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|}; });
            }

            // Checked at each invocation: the second runs after the range was widened.
            static void kvm_mmu_notifier_widened_between(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                bool zap() => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
                zap();
                r.only_shared = false;
                zap();
            }

            static void kvm_mmu_notifier_nested_private(kvm kvm)
            {
                var r = new kvm_gfn_range { only_private = true };
                void outer() { void inner() => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|}; inner(); }
                outer();
            }

            // The method's own parameter, captured: no caller in the compilation, so unknown.
            static void kvm_mmu_notifier_captured_parameter(kvm kvm, kvm_gfn_range given)
            {
                void zap() => {|KVM0002:kvm_unmap_gfn_range(kvm, ref given)|};
                zap();
            }
        }
        """);

    /// <summary>
    /// A function that tests the captured range (a guard) is checked in itself, where the guard
    /// narrows it; one that is handed on as well as invoked may run anywhere, with any value.
    /// </summary>
    [Fact]
    public Task ACapturedRangeTheFunctionTestsOrThatEscapes_IsCheckedInTheFunction() => VerifyPort("""
        static class KvmMain
        {
            static System.Collections.Generic.List<System.Action> deferred = new System.Collections.Generic.List<System.Action>();

            static void kvm_mmu_notifier_guarded(kvm kvm)
            {
                var r = new kvm_gfn_range();
                void zap() { if (!r.only_shared || r.only_private) return; kvm_unmap_gfn_range(kvm, ref r); }
                zap();
            }

            static void kvm_mmu_notifier_half_guarded(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                void zap() { if (r.only_private) return; {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|}; }
                zap();
            }

            // Handed on too, the lambda may run later: the range is checked where the lambda is
            // made when nothing in the method changes it after its declaration.
            static void kvm_mmu_notifier_escapes(kvm kvm)
            {
                var r = new kvm_gfn_range { only_private = true };
                System.Action a = () => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
                deferred.Add(a);
                a();
            }

            static void kvm_mmu_notifier_escapes_shared(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                System.Action a = () => kvm_unmap_gfn_range(kvm, ref r);
                deferred.Add(a);
                a();
            }

            // Changed after the lambda is made, it may hold anything when the lambda runs.
            static void kvm_mmu_notifier_escapes_changed(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                System.Action a = () => {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
                deferred.Add(a);
                a();
                r.only_shared = false;
            }

            // Not run by the path at all: not the path's, whatever it captured.
            static void kvm_mmu_notifier_only_stored(kvm kvm)
            {
                var r = new kvm_gfn_range { only_private = true };
                deferred.Add(() => kvm_unmap_gfn_range(kvm, ref r));
            }
        }
        """);

    /// <summary>
    /// A range handed by <c>ref</c> to a call inside a lambda keeps its flags outside it (SPEC 2: a
    /// call changes flags only through its summary). Every call after the lambda's definition used
    /// to forget the range's flags, as if the lambda had run and overwritten it.
    /// </summary>
    [Fact]
    public Task ARangeANestedFunctionHandsByRef_KeepsItsFlagsAtTheMethodsCalls() => VerifyPort("""
        static class KvmMain
        {
            static void widen(ref kvm_gfn_range range) => range.only_private = true;

            static void kvm_mmu_notifier_kept(kvm kvm, gfn_handler_t handler)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                System.Action later = () => handler(kvm, ref r);
                kvm_unmap_gfn_range(kvm, ref r);
                deferred(later);
            }

            // A helper of the compilation whose summary sets a flag still changes it.
            static void kvm_mmu_notifier_changed(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                System.Action later = () => widen(ref r);
                deferred(later);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }

            static void deferred(System.Action action) { }
        }
        """);

    [Fact]
    public Task OnAGuestMemfdPath_TheSameHolds() => VerifyGmem("""
        static class GuestMemfd
        {
            static System.Collections.Generic.List<System.Action> deferred = new System.Collections.Generic.List<System.Action>();

            static void kvm_gmem_invalidate_begin(kvm kvm, System.Collections.Generic.List<kvm_memory_slot> slots)
            {
                var r = new kvm_gfn_range { only_private = true };
                slots.ForEach(slot => { r.slot = slot; kvm_unmap_gfn_range(kvm, ref r); });
                deferred.Add(() => { var q = new kvm_gfn_range { only_shared = true }; kvm_unmap_gfn_range(kvm, ref q); });
            }

            static void kvm_gmem_punch_hole(kvm kvm)
            {
                void zap() { var q = new kvm_gfn_range { only_shared = true }; {|KVM0005:kvm_unmap_gfn_range(kvm, ref q)|}; }
                zap();
            }
        }
        """);

    /// <summary>
    /// A port's own iterator (`for_each_slot(kvm, slot => ...)`, the kernel's memslot loops with
    /// the body passed in): a method of the compilation that invokes its delegate parameter
    /// during the call and does nothing else with it (a null test aside, or handing it to another
    /// such method) runs the lambda where it is called. One that stores the delegate does not.
    /// </summary>
    [Fact]
    public Task ALambdaHandedToAPortsIterator_RunsWhereTheIteratorIsCalled() => VerifyPort("""
        static class KvmMain
        {
            static System.Collections.Generic.List<kvm_memory_slot> slots = new System.Collections.Generic.List<kvm_memory_slot>();
            static System.Collections.Generic.List<System.Action<kvm_memory_slot>> later = new System.Collections.Generic.List<System.Action<kvm_memory_slot>>();

            static void for_each_slot(kvm kvm, System.Action<kvm_memory_slot> fn)
            {
                if (fn == null) return;
                foreach (var slot in slots) fn(slot);
            }

            static void for_each_slot_forwarded(kvm kvm, System.Action<kvm_memory_slot> fn) => for_each_slot(kvm, fn);

            static void defer(kvm kvm, System.Action<kvm_memory_slot> fn) => later.Add(fn);

            static void kvm_mmu_notifier_own_range(kvm kvm)
            {
                for_each_slot(kvm, slot => { var q = new kvm_gfn_range { slot = slot, only_private = true }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; });
            }

            static void kvm_mmu_notifier_captured_private(kvm kvm)
            {
                var r = new kvm_gfn_range { only_private = true };
                for_each_slot(kvm, slot => { r.slot = slot; {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|}; });
            }

            static void kvm_mmu_notifier_captured_shared(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                for_each_slot_forwarded(kvm, slot => { r.slot = slot; kvm_unmap_gfn_range(kvm, ref r); });
            }

            static void kvm_mmu_notifier_method_group(kvm kvm)
            {
                void zap(kvm_memory_slot slot) { var q = new kvm_gfn_range { slot = slot }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref q)|}; }
                for_each_slot(kvm, zap);
            }

            static void kvm_mmu_notifier_deferred(kvm kvm)
            {
                var r = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref r);
                defer(kvm, slot => { var q = new kvm_gfn_range { slot = slot }; kvm_unmap_gfn_range(kvm, ref q); });
            }
        }
        """);
}
