using System.Threading.Tasks;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A test of a filter against a constant narrows it (SPEC 3a, the filter form of section 2's
/// pattern tests): <c>if (range.attr_filter != KVM_FILTER_SHARED) return;</c>, <c>is not</c>,
/// <c>switch (range.attr_filter) { case KVM_FILTER_SHARED: ... }</c>, and a test of the filter a
/// range was built from (<c>attr_filter = f</c>, then <c>if (f != ...) return;</c>). Each was a
/// false KVM0002/KVM0005 past the guard, and <c>if (filter == 0) return;</c> a false KVM0004.
/// </summary>
public sealed class FilterComparisonTests
{
    private const string Port = """
        using static Kernel;
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1 << 0, KVM_FILTER_PRIVATE = 1 << 1 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        public static class Kernel
        {
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            public static kvm_gfn_range lookup(kvm kvm) => default;
            public static kvm_gfn_range_filter filter_of(kvm kvm) => (kvm_gfn_range_filter)System.Environment.TickCount;
        }

        """;

    [Fact]
    public Task AGuardOnTheFilter_NarrowsIt() => HvaShared.VerifyAsync(Port + """
        static class Notifier
        {
            static void kvm_mmu_notifier_member(kvm kvm, kvm_gfn_range_filter f)
            {
                var range = new kvm_gfn_range { attr_filter = f };
                if (range.attr_filter != kvm_gfn_range_filter.KVM_FILTER_SHARED)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_source(kvm kvm, kvm_gfn_range_filter f)
            {
                var range = new kvm_gfn_range { attr_filter = f };
                if (f != kvm_gfn_range_filter.KVM_FILTER_SHARED)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_pattern(kvm kvm)
            {
                var range = new kvm_gfn_range { attr_filter = filter_of(kvm) };
                if (range.attr_filter is not kvm_gfn_range_filter.KVM_FILTER_SHARED)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_integer(kvm kvm, int f)
            {
                var range = new kvm_gfn_range { attr_filter = (kvm_gfn_range_filter)f };
                if (f == 1)
                    kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_wrong_guard(kvm kvm, kvm_gfn_range_filter f)
            {
                var range = new kvm_gfn_range { attr_filter = f };
                if (f == kvm_gfn_range_filter.KVM_FILTER_SHARED)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_other_bits(kvm kvm, kvm_gfn_range_filter f)
            {
                var range = new kvm_gfn_range { attr_filter = f };
                if (f != (kvm_gfn_range_filter)5)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task ASwitchOnTheFilter_NarrowsEachCase() => HvaShared.VerifyAsync(Port + """
        static class Notifier
        {
            static void kvm_mmu_notifier_switch(kvm kvm)
            {
                var range = lookup(kvm);
                switch (range.attr_filter)
                {
                    case kvm_gfn_range_filter.KVM_FILTER_SHARED:
                        kvm_unmap_gfn_range(kvm, ref range);
                        break;
                    case kvm_gfn_range_filter.KVM_FILTER_PRIVATE:
                        return;
                    default:
                        {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
                        break;
                }
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AGuardOnTheFilter_GuestMemfd() => GmemPrivate.VerifyAsync(Port + """
        static class GuestMemfd
        {
            static void kvm_gmem_punch_hole(kvm kvm, kvm_gfn_range_filter attr_filter)
            {
                if (attr_filter != kvm_gfn_range_filter.KVM_FILTER_PRIVATE)
                    return;
                var range = new kvm_gfn_range { attr_filter = attr_filter };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_gmem_release(kvm kvm, kvm_gfn_range_filter attr_filter)
            {
                var range = new kvm_gfn_range { attr_filter = attr_filter };
                if (range.attr_filter is kvm_gfn_range_filter.KVM_FILTER_SHARED)
                    return;
                {|KVM0005:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AGuardAgainstZero_KeepsTheZapFromAnEmptyFilter() => EmptyFilter.VerifyAsync(Port + """
        static class Mmu
        {
            static void one_side(kvm kvm, bool shared)
            {
                var range = new kvm_gfn_range { attr_filter = shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED : 0 };
                if (range.attr_filter == 0)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void built_by_bits(kvm kvm, bool a, bool b)
            {
                kvm_gfn_range_filter filter = 0;
                if (a)
                    filter |= kvm_gfn_range_filter.KVM_FILTER_SHARED;
                if (b)
                    filter |= kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                if (filter is 0)
                    return;
                var range = new kvm_gfn_range { attr_filter = filter };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void wrong_guard(kvm kvm, bool shared)
            {
                var range = new kvm_gfn_range { attr_filter = shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED : 0 };
                if (range.attr_filter == kvm_gfn_range_filter.KVM_FILTER_PRIVATE)
                    return;
                {|KVM0004:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);
}
