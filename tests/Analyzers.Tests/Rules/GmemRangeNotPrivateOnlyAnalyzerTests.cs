using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using Fix = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer, GfnGuard.CodeFixes.MakeRangePrivateOnlyCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0005: every gfn range a guest_memfd path passes on is private-only there, in both forms.</summary>
public sealed class GmemRangeNotPrivateOnlyAnalyzerTests
{
    private const string BoolForm = """
        public sealed class kvm { public object mmu_lock = new object(); }
        public sealed class kvm_memory_slot { public ulong base_gfn, npages, gmem_pgoff; }
        public struct kvm_gfn_range { public kvm_memory_slot slot; public ulong start, end; public bool only_private, only_shared, may_block; }
        public static class Kernel
        {
            public static void KVM_MMU_LOCK(kvm kvm) { }
            public static void KVM_MMU_UNLOCK(kvm kvm) { }
            public static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            public static void kvm_flush_remote_tlbs(kvm kvm) { }
            public static kvm_memory_slot[] gmem_bindings(kvm kvm, ulong start, ulong end) => new[] { new kvm_memory_slot() };
        }

        """;

    private const string FilterForm = """
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        public sealed class gmem_file { public bool init_shared; }
        public static class Kernel
        {
            public static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            public static kvm_gfn_range_filter kvm_gmem_get_invalidate_filter(gmem_file f) =>
                f.init_shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
        }

        """;

    /// <summary>kvm_gmem_invalidate_begin as guest_memfd.c has it (the two-bool series): silent.</summary>
    [Fact]
    public Task FaithfulInvalidateBegin_IsSilent() => Verify.VerifyAsync("using static Kernel;\n" + BoolForm + """
        static class GuestMemfd
        {
            static void kvm_gmem_invalidate_begin(kvm kvm, ulong start, ulong end)
            {
                var flush = false;
                var found_memslot = false;
                foreach (var slot in gmem_bindings(kvm, start, end))
                {
                    var gfn_range = new kvm_gfn_range
                    {
                        start = slot.base_gfn + System.Math.Max(slot.gmem_pgoff, start) - slot.gmem_pgoff,
                        end = slot.base_gfn + System.Math.Min(slot.gmem_pgoff + slot.npages, end) - slot.gmem_pgoff,
                        slot = slot,
                        may_block = true,
                        only_private = true,
                        only_shared = false,
                    };

                    if (!found_memslot)
                    {
                        found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                    }

                    flush |= kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);
                }

                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                if (found_memslot)
                    KVM_MMU_UNLOCK(kvm);
            }
        }
        """, withRuntime: false);

    [Theory]
    [InlineData("only_private = false, only_shared = true")]
    [InlineData("only_private = false, only_shared = false")]
    [InlineData("only_shared = true")]
    public Task ARangeThatIsNotPrivateOnly_IsReported(string flags) => Verify.VerifyAsync("using static Kernel;\n" + BoolForm + $$"""
        static class GuestMemfd
        {
            static void kvm_gmem_punch_hole(kvm kvm, ulong start, ulong end)
            {
                var gfn_range = new kvm_gfn_range { start = start, end = end, {{flags}} };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """, withRuntime: false);

    /// <summary>Upstream's filter form: KVM_FILTER_PRIVATE is fine, a filter the file gives is accepted, shared or both is not.</summary>
    [Fact]
    public Task TheFilterForm_AndTheFilesOwnFilter() => Verify.VerifyAsync("using static Kernel;\n" + FilterForm + """
        static class GuestMemfd
        {
            static void __kvm_gmem_invalidate_begin(kvm kvm, gmem_file f, ulong start, ulong end)
            {
                var fine = new kvm_gfn_range { start = start, end = end, attr_filter = kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                kvm_mmu_unmap_gfn_range(kvm, ref fine);

                var fromTheFile = new kvm_gfn_range { start = start, end = end, attr_filter = kvm_gmem_get_invalidate_filter(f) };
                kvm_mmu_unmap_gfn_range(kvm, ref fromTheFile);

                var shared = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref shared)|};

                var both = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref both)|};
            }
        }
        """, withRuntime: false);

    /// <summary>
    /// Current guest_memfd.c: __kvm_gmem_invalidate_begin builds its range with the filter its
    /// caller read from the file. The filter comes from the callers, so each call is checked with
    /// its own argument: the file's filter and KVM_FILTER_PRIVATE are fine, shared and a filter
    /// that may be shared are reported at the call (with no fix: the call passes no range).
    /// </summary>
    [Fact]
    public Task AFilterGivenByTheCallers_IsCheckedAtEachCall() => Verify.VerifyAsync("using static Kernel;\n" + FilterForm + """
        static class GuestMemfd
        {
            static void __kvm_gmem_invalidate_begin(kvm kvm, ulong start, ulong end, kvm_gfn_range_filter attr_filter)
            {
                var gfn_range = new kvm_gfn_range { start = start, end = end, attr_filter = attr_filter };
                kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);
            }

            static void kvm_gmem_invalidate_begin(kvm kvm, gmem_file f, ulong start, ulong end)
            {
                var attr_filter = kvm_gmem_get_invalidate_filter(f);
                __kvm_gmem_invalidate_begin(kvm, start, end, attr_filter);
            }

            static void kvm_gmem_error_folio(kvm kvm) => __kvm_gmem_invalidate_begin(kvm, 0, 1, kvm_gfn_range_filter.KVM_FILTER_PRIVATE);

            static void kvm_gmem_punch_hole(kvm kvm) => {|KVM0005:__kvm_gmem_invalidate_begin(kvm, 0, 1, kvm_gfn_range_filter.KVM_FILTER_SHARED)|};

            static void kvm_gmem_release(kvm kvm, bool shared)
            {
                var filter = shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED : kvm_gfn_range_filter.KVM_FILTER_PRIVATE;
                {|KVM0005:__kvm_gmem_invalidate_begin(kvm, 0, 1, filter)|};
            }
        }
        """, withRuntime: false);

    /// <summary>A whole range a guest_memfd path receives and passes on unchanged is checked at each call (a false KVM0005 in the helper before).</summary>
    [Fact]
    public Task ARangeGivenByTheCallers_IsCheckedAtEachCall() => Verify.VerifyAsync("using static Kernel;\n" + FilterForm + """
        static class GuestMemfd
        {
            static bool __kvm_gmem_zap_one(kvm kvm, ref kvm_gfn_range gfn_range) => kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);

            static void kvm_gmem_invalidate_begin(kvm kvm, gmem_file f, ulong start, ulong end)
            {
                var gfn_range = new kvm_gfn_range { start = start, end = end, attr_filter = kvm_gmem_get_invalidate_filter(f) };
                __kvm_gmem_zap_one(kvm, ref gfn_range);
            }

            static void kvm_gmem_punch_hole(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                {|KVM0005:__kvm_gmem_zap_one(kvm, ref gfn_range)|};
            }
        }
        """, withRuntime: false);

    /// <summary>Through two paths that hand the filter on, and back to the callee when a caller is no guest_memfd path (its rule cannot check the call there).</summary>
    [Fact]
    public Task AFilterGivenByTheCallers_FollowsChains_AndStaysWhenACallerIsNoPath() => Verify.VerifyAsync("using static Kernel;\n" + FilterForm + """
        static class Chain
        {
            static void __kvm_gmem_zap(kvm kvm, kvm_gfn_range_filter attr_filter)
            {
                var gfn_range = new kvm_gfn_range { attr_filter = attr_filter };
                kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);
            }

            static void __kvm_gmem_invalidate(kvm kvm, kvm_gfn_range_filter attr_filter) => __kvm_gmem_zap(kvm, attr_filter);

            static void kvm_gmem_invalidate_begin(kvm kvm, gmem_file f) => __kvm_gmem_invalidate(kvm, kvm_gmem_get_invalidate_filter(f));

            static void kvm_gmem_punch_hole(kvm kvm) => {|KVM0005:__kvm_gmem_invalidate(kvm, kvm_gfn_range_filter.KVM_FILTER_SHARED)|};
        }

        static class NotAllPaths
        {
            static void __kvm_gmem_unmap(kvm kvm, kvm_gfn_range_filter attr_filter)
            {
                var gfn_range = new kvm_gfn_range { attr_filter = attr_filter };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref gfn_range)|};
            }

            static void kvm_gmem_invalidate_begin(kvm kvm, gmem_file f) => __kvm_gmem_unmap(kvm, kvm_gmem_get_invalidate_filter(f));

            static void Simulate(kvm kvm) => __kvm_gmem_unmap(kvm, kvm_gfn_range_filter.KVM_FILTER_PRIVATE);
        }

        static class NoCaller
        {
            static void __kvm_gmem_unmap_alone(kvm kvm, kvm_gfn_range_filter attr_filter)
            {
                var gfn_range = new kvm_gfn_range { attr_filter = attr_filter };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """, withRuntime: false);

    /// <summary>A method that is no guest_memfd path is not asked, and a configured name makes one.</summary>
    [Fact]
    public Task OnlyGuestMemfdPaths_AreChecked() => Verify.VerifyAsync("using static Kernel;\n" + BoolForm + """
        static class Sim
        {
            static void convert(kvm kvm, kvm_gfn_range gfn_range) => kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);

            static void OnPunchHole(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { only_shared = true };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """, "gfnguard.gmem_path_methods = Sim.OnPunchHole", withRuntime: false);

    /// <summary>The runtime's own guest_memfd invalidation is marked [GmemPath]; a port's marked method is a path too.</summary>
    [Fact]
    public Task AMarkedMethod_IsAGuestMemfdPath() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        static class Port
        {
            static bool zap(ref KvmGfnRange range) => true;

            [GmemPath]
            static void Invalidate(KvmMemorySlot slot)
            {
                var range = new KvmGfnRange(slot, 0, 1) { OnlyShared = true };
                {|KVM0005:zap(ref range)|};
            }
        }
        """);

    [Fact]
    public Task TheFix_MakesTheRangePrivateOnly_InBothForms() => Fix.VerifyFixAsync("using static Kernel;\n" + FilterForm + """
        static class GuestMemfd
        {
            static void kvm_gmem_release(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { start = 0, end = 1, attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED };
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref gfn_range)|};
                var other = new kvm_gfn_range();
                {|KVM0004:{|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref other)|}|};
            }
        }
        """, "using static Kernel;\n" + FilterForm + """
        static class GuestMemfd
        {
            static void kvm_gmem_release(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { start = 0, end = 1, attr_filter = kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                kvm_mmu_unmap_gfn_range(kvm, ref gfn_range);
                var other = new kvm_gfn_range() { attr_filter = kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                kvm_mmu_unmap_gfn_range(kvm, ref other);
            }
        }
        """, MakeRangePrivateOnlyCodeFixProvider.EquivalenceKey);
}
