using System.Threading.Tasks;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// An attr_filter is followed through the helpers and locals that carry it (SPEC 2 and 3a): an
/// enum the port names its own way (<c>enum GfnFilter { Shared, Private }</c>), an integer local, a
/// helper that returns a filter, and a helper whose paths a bool argument chooses between
/// (<c>filter_for(false)</c>). Each was an unknown filter, so a correct HVA path got KVM0002.
/// </summary>
public sealed class ReturnedFilterTests
{
    /// <summary>A port's own enum: no kernel name, the members by the filter's names.</summary>
    private const string PortEnum = """
        public sealed class Vm { }
        public enum GfnFilter { Shared = 1, Private = 2 }
        public struct KvmGfnRange { public ulong Start, End; public GfnFilter AttrFilter; }
        public delegate bool GfnHandler(Vm vm, ref KvmGfnRange range);
        public static class Mmu
        {
            public static bool UnmapGfnRange(Vm vm, ref KvmGfnRange range) => true;
        }

        """;

    private const string IntegerForm = AttrFilterFormTests.IntegerForm;

    [Fact]
    public Task APortsOwnFilterEnum_InLocals_IsFollowed() => HvaShared.VerifyAsync(PortEnum + """
        static class Notifier
        {
            static bool kvm_mmu_notifier_plain(Vm vm, GfnHandler handler)
            {
                var filter = GfnFilter.Shared;
                var range = new KvmGfnRange { AttrFilter = filter };
                return handler(vm, ref range);
            }

            static bool kvm_mmu_notifier_conditional(Vm vm, bool young, GfnHandler handler)
            {
                var same = young ? GfnFilter.Shared : GfnFilter.Shared;
                var range = new KvmGfnRange { AttrFilter = same };
                var ret = handler(vm, ref range);

                var either = young ? GfnFilter.Shared : GfnFilter.Private;
                var wrong = new KvmGfnRange { AttrFilter = either };
                return ret | {|KVM0002:handler(vm, ref wrong)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AnIntegerFilter_InALocal_IsFollowed() => HvaShared.VerifyAsync("using static Filters;\n" + IntegerForm + """
        static class KvmMain
        {
            static int bump(int x) => x + 1;

            static bool kvm_handle_hva_range(kvm kvm, bool young, gfn_handler_t handler)
            {
                int filter = young ? KVM_FILTER_SHARED : KVM_FILTER_SHARED;
                var range = new kvm_gfn_range { attr_filter = filter };
                var ret = handler(kvm, ref range);

                // Overwritten by what no one knows: the old bits are gone.
                int changed = KVM_FILTER_SHARED;
                changed = bump(changed);
                var unknown = new kvm_gfn_range { attr_filter = changed };
                return ret | {|KVM0002:handler(kvm, ref unknown)|};
            }
        }
        """, withRuntime: false);

    /// <summary>Now that an integer holds its bits, whatever else writes it takes them: `++`, a callee given it by ref, a lambda.</summary>
    [Fact]
    public Task AFollowedIntegerFilter_ChangedByIncrementRefOrLambda_IsUnknown() => HvaShared.VerifyAsync("using static Filters;\n" + IntegerForm + """
        static class KvmMain
        {
            static void widen(ref int filter) { filter |= KVM_FILTER_PRIVATE; }
            static void for_each(System.Action<int> visit) => visit(0);

            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                int bumped = KVM_FILTER_SHARED;
                bumped++;
                var r1 = new kvm_gfn_range { attr_filter = bumped };

                int widened = KVM_FILTER_SHARED;
                widen(ref widened);
                var r2 = new kvm_gfn_range { attr_filter = widened };

                int inLambda = KVM_FILTER_SHARED;
                for_each(x => inLambda = x);
                var r3 = new kvm_gfn_range { attr_filter = inLambda };

                return {|KVM0002:handler(kvm, ref r1)|} | {|KVM0002:handler(kvm, ref r2)|} | {|KVM0002:handler(kvm, ref r3)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AHelperThatReturnsAFilter_IsBoundToEachCallsArgument() => HvaShared.VerifyAsync(PortEnum + """
        public class Filters
        {
            public static GfnFilter Shared() => GfnFilter.Shared;
            public static GfnFilter For(bool isPrivate) => isPrivate ? GfnFilter.Private : GfnFilter.Shared;
            public static GfnFilter Widened(bool both)
            {
                if (both)
                    return GfnFilter.Private | GfnFilter.Shared;
                return GfnFilter.Shared;
            }
            public static GfnFilter Passed(GfnFilter filter) => filter;
            public virtual GfnFilter Overridable() => GfnFilter.Shared;
        }

        static class Notifier
        {
            static bool kvm_mmu_notifier_change_pte(Vm vm, bool isPrivate, Filters filters, GfnHandler handler)
            {
                var r1 = new KvmGfnRange { AttrFilter = Filters.Shared() };
                var r2 = new KvmGfnRange { AttrFilter = Filters.For(false) };
                var r3 = new KvmGfnRange { AttrFilter = Filters.For(isPrivate: false) };
                var r4 = new KvmGfnRange { AttrFilter = Filters.Widened(false) };
                var r5 = new KvmGfnRange { AttrFilter = Filters.Passed(GfnFilter.Shared) };
                var ret = handler(vm, ref r1) | handler(vm, ref r2) | handler(vm, ref r3) | handler(vm, ref r4) | handler(vm, ref r5);

                var w1 = new KvmGfnRange { AttrFilter = Filters.For(true) };
                var w2 = new KvmGfnRange { AttrFilter = Filters.For(isPrivate) };
                var w3 = new KvmGfnRange { AttrFilter = Filters.Widened(true) };
                var w4 = new KvmGfnRange { AttrFilter = Filters.Passed(GfnFilter.Private) };
                var w5 = new KvmGfnRange { AttrFilter = filters.Overridable() };
                return ret | {|KVM0002:handler(vm, ref w1)|} | {|KVM0002:handler(vm, ref w2)|} | {|KVM0002:handler(vm, ref w3)|}
                    | {|KVM0002:handler(vm, ref w4)|} | {|KVM0002:handler(vm, ref w5)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AnIntegerFilterHelper_IsSummarised() => HvaShared.VerifyAsync("using static Filters;\n" + IntegerForm + """
        static class KvmMain
        {
            static int filter_for(bool is_private) => is_private ? KVM_FILTER_PRIVATE : KVM_FILTER_SHARED;

            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { attr_filter = filter_for(false) };
                var ret = handler(kvm, ref range);

                var wrong = new kvm_gfn_range { attr_filter = filter_for(true) };
                return ret | {|KVM0002:handler(kvm, ref wrong)|};
            }
        }
        """, withRuntime: false);

    /// <summary>
    /// A range factory whose side a bool argument picks: each call keeps the paths its argument
    /// allows. A helper that writes its parameter decides nothing by it, so both sides stay.
    /// </summary>
    [Fact]
    public Task AFactorysSide_IsTheOneItsArgumentPicks() => HvaShared.VerifyAsync(PortEnum + """
        static class Ranges
        {
            public static KvmGfnRange Make(bool shared)
            {
                if (shared)
                    return new KvmGfnRange { AttrFilter = GfnFilter.Shared };
                return new KvmGfnRange { AttrFilter = GfnFilter.Private };
            }

            public static KvmGfnRange Flipped(bool shared)
            {
                shared = !shared;
                if (shared)
                    return new KvmGfnRange { AttrFilter = GfnFilter.Shared };
                return new KvmGfnRange { AttrFilter = GfnFilter.Private };
            }

            public static void SetSide(ref KvmGfnRange range, bool shared)
            {
                if (shared)
                    range.AttrFilter = GfnFilter.Shared;
                else
                    range.AttrFilter = GfnFilter.Private;
            }
        }

        static class Notifier
        {
            static bool kvm_mmu_notifier_invalidate_range_start(Vm vm, GfnHandler handler)
            {
                var fine = Ranges.Make(true);
                var set = new KvmGfnRange();
                Ranges.SetSide(ref set, shared: true);
                var ret = handler(vm, ref fine) | handler(vm, ref set);

                var wrong = Ranges.Make(false);
                var flipped = Ranges.Flipped(true);
                var setWrong = new KvmGfnRange();
                Ranges.SetSide(ref setWrong, false);
                return ret | {|KVM0002:handler(vm, ref wrong)|} | {|KVM0002:handler(vm, ref flipped)|} | {|KVM0002:handler(vm, ref setWrong)|};
            }
        }
        """, withRuntime: false);

    /// <summary>The same in the two-bool form: a factory and a ref helper whose side the bool argument picks.</summary>
    [Fact]
    public Task InTheTwoBoolForm_TheSideIsTheOneTheArgumentPicks() => HvaShared.VerifyAsync("""
        public sealed class kvm { }
        public struct kvm_gfn_range { public ulong start, end; public bool only_private, only_shared; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        static class Ranges
        {
            public static kvm_gfn_range make(bool shared)
            {
                if (shared)
                    return new kvm_gfn_range { only_shared = true };
                return new kvm_gfn_range { only_private = true };
            }

            public static void set_side(ref kvm_gfn_range range, bool shared)
            {
                if (shared)
                {
                    range.only_private = false;
                    range.only_shared = true;
                }
                else
                {
                    range.only_shared = false;
                    range.only_private = true;
                }
            }
        }

        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                var fine = Ranges.make(true);
                var set = new kvm_gfn_range();
                Ranges.set_side(ref set, true);
                var ret = handler(kvm, ref fine) | handler(kvm, ref set);

                var wrong = Ranges.make(false);
                var setWrong = new kvm_gfn_range();
                Ranges.set_side(ref setWrong, shared: false);
                return ret | {|KVM0002:handler(kvm, ref wrong)|} | {|KVM0002:handler(kvm, ref setWrong)|};
            }
        }
        """, withRuntime: false);

    /// <summary>On a guest_memfd path the same helpers give the private side, and a wrapper of the file's own filter is the file's.</summary>
    [Fact]
    public Task OnAGmemPath_TheHelpersPrivateSide_AndAWrappedFileFilter_AreFine() => GmemPrivate.VerifyAsync("""
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        public sealed class gmem_file { public bool init_shared; }
        static class GuestMemfd
        {
            static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            static kvm_gfn_range_filter kvm_gmem_get_invalidate_filter(gmem_file f) =>
                f.init_shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
            static kvm_gfn_range_filter file_filter(gmem_file f) => kvm_gmem_get_invalidate_filter(f);
            static kvm_gfn_range_filter filter_for(bool is_private) =>
                is_private ? kvm_gfn_range_filter.KVM_FILTER_PRIVATE : kvm_gfn_range_filter.KVM_FILTER_SHARED;

            static void __kvm_gmem_invalidate_begin(kvm kvm, gmem_file f)
            {
                var fromTheFile = new kvm_gfn_range { attr_filter = file_filter(f) };
                kvm_mmu_unmap_gfn_range(kvm, ref fromTheFile);
                var @private = new kvm_gfn_range { attr_filter = filter_for(true) };
                kvm_mmu_unmap_gfn_range(kvm, ref @private);

                var shared = new kvm_gfn_range { attr_filter = filter_for(false) };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref shared)|};
            }
        }
        """, withRuntime: false);

    /// <summary>A filter helper that can give 0 leaves the range with no side where the call can get it (KVM0004).</summary>
    [Fact]
    public Task AFilterHelperThatMayGiveNothing_IsAnEmptyFilterAtTheZap() => EmptyFilter.VerifyAsync(PortEnum + """
        static class Attributes
        {
            static GfnFilter Sides(bool shared, bool @private) =>
                (shared ? GfnFilter.Shared : 0) | (@private ? GfnFilter.Private : 0);

            static void kvm_vm_set_mem_attributes(Vm vm, bool toPrivate)
            {
                var both = new KvmGfnRange { AttrFilter = Sides(true, true) };
                Mmu.UnmapGfnRange(vm, ref both);
                var one = new KvmGfnRange { AttrFilter = Sides(shared: false, @private: toPrivate) };
                {|KVM0004:Mmu.UnmapGfnRange(vm, ref one)|};
            }
        }
        """, withRuntime: false);
}
