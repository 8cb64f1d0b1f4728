using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using Fix = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer, GfnGuard.CodeFixes.MakeRangeSharedOnlyCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// Upstream's form of the filter (SPEC 3a, issue 16): <c>attr_filter</c>, a mask of
/// KVM_FILTER_SHARED and KVM_FILTER_PRIVATE, followed as two bits through constants, <c>|</c>,
/// <c>&amp;</c>, <c>~</c>, conditionals, locals and copies. KVM0002 holds in this form (shared-only is
/// exactly KVM_FILTER_SHARED), and KVM0001 does not apply (both bits is a valid filter).
/// </summary>
public sealed class AttrFilterFormTests
{
    private const string EnumForm = """
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1 << 0, KVM_FILTER_PRIVATE = 1 << 1 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; public bool may_block; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);

        """;

    /// <summary>The integer form: constants of the kernel's names, an int filter (shared with other tests of the form).</summary>
    internal const string IntegerForm = """
        public sealed class kvm { }
        public static class Filters { public const int KVM_FILTER_SHARED = 1; public const int KVM_FILTER_PRIVATE = 2; }
        public struct kvm_gfn_range { public ulong start, end; public int attr_filter; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);

        """;

    /// <summary>
    /// `range.attr_filter = p ? SHARED : PRIVATE;` after the range is made: the graph captures the
    /// member before the branches and stores through the capture. The store was lost, so the range
    /// kept the filter 0 it was made with (a false KVM0004 at the zap); a property filter too.
    /// </summary>
    [Fact]
    public Task AConditionalStoredIntoTheFilter_IsTheFilters() => EmptyFilter.VerifyAsync(EnumForm + """
        public struct KvmGfnRange { public kvm_gfn_range_filter AttrFilter { get; set; } }

        static class Mmu
        {
            static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            static bool UnmapGfnRange(kvm kvm, ref KvmGfnRange range) => true;

            static void field(kvm kvm, bool to_private)
            {
                var range = new kvm_gfn_range();
                range.attr_filter = to_private ? kvm_gfn_range_filter.KVM_FILTER_SHARED : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void property(kvm kvm, bool to_private)
            {
                var range = new KvmGfnRange();
                range.AttrFilter = to_private ? kvm_gfn_range_filter.KVM_FILTER_SHARED : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                UnmapGfnRange(kvm, ref range);
            }

            static void maybe_empty(kvm kvm, bool to_private)
            {
                var range = new kvm_gfn_range();
                range.attr_filter = to_private ? kvm_gfn_range_filter.KVM_FILTER_SHARED : 0;
                {|KVM0004:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """);

    [Fact]
    public Task Kvm0002_HoldsInTheEnumForm() => Verify.VerifyAsync(EnumForm + """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, ulong start, ulong end, gfn_handler_t handler)
            {
                var shared = new kvm_gfn_range { start = start, end = end, attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                var ret = handler(kvm, ref shared);

                var none = new kvm_gfn_range { start = start, end = end };
                ret |= {|KVM0002:handler(kvm, ref none)|};

                var both = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                ret |= {|KVM0002:handler(kvm, ref both)|};

                var cleared = both;
                cleared.attr_filter &= ~kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                ret |= handler(kvm, ref cleared);

                var f = start > 0 ? kvm_gfn_range_filter.KVM_FILTER_SHARED : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                var maybe = new kvm_gfn_range { attr_filter = f };
                ret |= {|KVM0002:handler(kvm, ref maybe)|};

                var fromZero = new kvm_gfn_range();
                fromZero.attr_filter |= kvm_gfn_range_filter.KVM_FILTER_SHARED;
                return ret | handler(kvm, ref fromZero);
            }
        }
        """, withRuntime: false);

    /// <summary>Upstream's __kvm_handle_hva_range, integer constants and all: silent.</summary>
    [Fact]
    public Task Kvm0002_HoldsInTheIntegerForm_AndUpstreamsWalkIsSilent() => Verify.VerifyAsync(IntegerForm + """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, ulong start, ulong end, gfn_handler_t handler)
            {
                kvm_gfn_range gfn_range;
                gfn_range.start = start;
                gfn_range.end = end;
                /*
                 * HVA-based notifications aren't relevant to private
                 * mappings as they don't have a userspace mapping.
                 */
                gfn_range.attr_filter = Filters.KVM_FILTER_SHARED;
                var ret = handler(kvm, ref gfn_range);

                gfn_range.attr_filter = Filters.KVM_FILTER_SHARED | Filters.KVM_FILTER_PRIVATE;
                return ret | {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task Kvm0001_DoesNotApplyToTheFilterForm() => BothFlags.VerifyAsync(EnumForm + """
        static class C
        {
            static kvm_gfn_range Both() => new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
        }
        """, withRuntime: false);

    /// <summary>"Make the range shared-only" sets the filter in the port's own spelling.</summary>
    [Fact]
    public Task TheFix_SetsTheSharedFilter() => Fix.VerifyFixAsync(EnumForm + """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, ulong start, gfn_handler_t handler)
            {
                var gfn_range = new kvm_gfn_range { start = start, attr_filter = kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                return {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """, EnumForm + """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, ulong start, gfn_handler_t handler)
            {
                var gfn_range = new kvm_gfn_range { start = start, attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                return handler(kvm, ref gfn_range);
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey);

    /// <summary>KVM0901: one type with both forms is ambiguous and reported; two types side by side, one per form, are not.</summary>
    [Fact]
    public Task BothFormsOnOneType_AreReported_SideBySideAreNot() => GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFilterFormsAnalyzer>.VerifyAsync("""
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        namespace Mixed
        {
            public struct kvm_gfn_range { public bool only_private, only_shared; public kvm_gfn_range_filter {|KVM0901:attr_filter|}; }
        }
        namespace Migrating
        {
            public struct kvm_gfn_range { public bool only_private, only_shared; }
            public struct KvmGfnRange { public kvm_gfn_range_filter AttrFilter; }
        }
        """, withRuntime: false);
}
