using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using Fix = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer, GfnGuard.CodeFixes.TargetFilterCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0004: a range of upstream's filter form that reaches a zap has a filter that is not 0.</summary>
public sealed class EmptyFilterAtZapAnalyzerTests
{
    private const string Upstream = """
        using static Kernel;
        public sealed class kvm { }
        public sealed class kvm_memory_slot { public ulong base_gfn, npages; }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1 << 0, KVM_FILTER_PRIVATE = 1 << 1 }
        public struct kvm_memory_attributes_arg { public ulong attributes; }
        public struct kvm_gfn_range { public kvm_memory_slot slot; public ulong start, end; public kvm_gfn_range_filter attr_filter; public kvm_memory_attributes_arg arg; public bool may_block; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        public static class Kernel
        {
            public const ulong KVM_MEMORY_ATTRIBUTE_PRIVATE = 1UL << 3;
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }

        """;

    /// <summary>
    /// (On a guest_memfd or HVA-based path the same range is also not one-sided: KVM0005 and KVM0002 say so too, and the first fix clears both.)
    /// Upstream's shapes: kvm_handle_gfn_range hands a 0 filter to the handler (no zap), and x86's
    /// kvm_arch_pre_set_memory_attributes assigns it from the attribute before it zaps: silent.
    /// </summary>
    [Fact]
    public Task UpstreamsAttributePath_IsSilent() => Verify.VerifyAsync(Upstream + """
        static class KvmMain
        {
            static bool kvm_handle_gfn_range(kvm kvm, gfn_handler_t handler, ulong start, ulong end)
            {
                kvm_gfn_range gfn_range = default;
                gfn_range.may_block = true;
                gfn_range.start = start;
                gfn_range.end = end;
                return handler(kvm, ref gfn_range);
            }

            static bool kvm_arch_pre_set_memory_attributes(kvm kvm, ref kvm_gfn_range range)
            {
                range.attr_filter = (range.arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0
                    ? kvm_gfn_range_filter.KVM_FILTER_SHARED
                    : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                return kvm_unmap_gfn_range(kvm, ref range);
            }

            static bool forwards(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);
        }
        """, withRuntime: false);

    /// <summary>
    /// A zap helper that tests its range's filter for 0 says what 0 means there (it defaults it to
    /// both sides, or zaps nothing): a caller may pass 0. It was reported at the call, as if the
    /// helper zapped the 0 it was given. A helper that zaps what it is given still passes the 0 on.
    /// </summary>
    [Fact]
    public Task AHelperThatTestsTheFilterForZero_MayBeGivenZero() => Verify.VerifyAsync(Upstream + """
        static class Mmu
        {
            static bool zap_defaulting(kvm kvm, ref kvm_gfn_range range)
            {
                if (range.attr_filter == 0)
                    range.attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                return kvm_unmap_gfn_range(kvm, ref range);
            }

            static bool zap_nothing_for_zero(kvm kvm, ref kvm_gfn_range range)
            {
                if (range.attr_filter is 0)
                    return false;
                return kvm_unmap_gfn_range(kvm, ref range);
            }

            static bool zap_as_given(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static void callers(kvm kvm, kvm_memory_slot slot)
            {
                var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages };
                zap_defaulting(kvm, ref range);
                zap_nothing_for_zero(kvm, ref range);
                {|KVM0004:zap_as_given(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AZeroFilter_AtAZap_IsReported() => Verify.VerifyAsync(Upstream + """
        static class Port
        {
            static bool zap_through(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static bool M(kvm kvm, kvm_memory_slot slot, bool shared)
            {
                var never = new kvm_gfn_range { slot = slot, start = 0, end = 1 };
                var ret = {|KVM0004:kvm_unmap_gfn_range(kvm, ref never)|};

                var oneBranch = new kvm_gfn_range { slot = slot };
                if (shared)
                    oneBranch.attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED;
                ret |= {|KVM0004:kvm_unmap_gfn_range(kvm, ref oneBranch)|};

                var cleared = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                cleared.attr_filter &= ~kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                ret |= {|KVM0004:zap_through(kvm, ref cleared)|};

                var fine = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                return ret | kvm_unmap_gfn_range(kvm, ref fine);
            }
        }
        """, withRuntime: false);

    [Theory]
    [InlineData("kvm_gmem_punch_hole", "kvm_gfn_range_filter.KVM_FILTER_PRIVATE", "{|KVM0005:", "|}")]
    [InlineData("kvm_mmu_notifier_release", "kvm_gfn_range_filter.KVM_FILTER_SHARED", "{|KVM0002:", "|}")]
    [InlineData("memslot_delete", "kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE", "", "")]
    public Task TheFirstFix_FitsThePath(string method, string filter, string alsoOpen, string alsoClose) => Fix.VerifyFirstFixAsync(Upstream + $$"""
        static class Port
        {
            static bool {{method}}(kvm kvm, kvm_memory_slot slot)
            {
                var gfn_range = new kvm_gfn_range { slot = slot };
                return {|KVM0004:{{alsoOpen}}kvm_unmap_gfn_range(kvm, ref gfn_range){{alsoClose}}|};
            }
        }
        """, Upstream + $$"""
        static class Port
        {
            static bool {{method}}(kvm kvm, kvm_memory_slot slot)
            {
                var gfn_range = new kvm_gfn_range { slot = slot, attr_filter = {{filter}} };
                return kvm_unmap_gfn_range(kvm, ref gfn_range);
            }
        }
        """);
}
