using System.Threading.Tasks;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A bool helper that tests a range narrows it at the caller as its own test does (SPEC 2:
/// pattern tests narrow; helpers of the compilation are followed): a range's
/// <c>IsSharedOnly =&gt; only_shared &amp;&amp; !only_private</c>, an extension
/// <c>is_shared(this in kvm_gfn_range r)</c>. Past <c>if (!range.IsSharedOnly) return;</c> the
/// range was still unknown (a false KVM0002), and a helper that only reads its range got the
/// report itself, as if it were a handler.
/// </summary>
public sealed class RangeTestHelperTests
{
    [Fact]
    public Task ARangesOwnTest_NarrowsIt() => HvaShared.VerifyAsync("""
        public sealed class kvm { }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        public struct kvm_gfn_range
        {
            public ulong start, end;
            public bool only_private, only_shared;
            public bool IsSharedOnly => only_shared && !only_private;
            public bool IsPrivate() => only_private;
        }

        static class Notifier
        {
            static void kvm_mmu_notifier_property(kvm kvm, gfn_handler_t handler, kvm_gfn_range given)
            {
                var range = given;
                range.start = 0;
                if (!range.IsSharedOnly)
                    return;
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_inside(kvm kvm, gfn_handler_t handler, kvm_gfn_range given)
            {
                var range = given;
                range.start = 0;
                if (range.IsSharedOnly)
                    handler(kvm, ref range);
                else
                    {|KVM0002:handler(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_half(kvm kvm, gfn_handler_t handler, kvm_gfn_range given)
            {
                var range = given;
                range.start = 0;
                if (range.IsPrivate())
                    return;
                {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    private const string FilterPort = """
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        public static class Ranges
        {
            public static bool is_shared(this in kvm_gfn_range r) => r.attr_filter == kvm_gfn_range_filter.KVM_FILTER_SHARED;
            public static bool is_private(this in kvm_gfn_range r)
            {
                if (r.attr_filter != kvm_gfn_range_filter.KVM_FILTER_PRIVATE)
                    return false;
                return true;
            }

            public static bool valid(in kvm_gfn_range r) => r.start < r.end;
            public static bool traced(in kvm_gfn_range r) { System.Console.WriteLine(r.start); return true; }
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            public static kvm_gfn_range_filter filter_of(kvm kvm) => (kvm_gfn_range_filter)System.Environment.TickCount;
        }

        """;

    [Fact]
    public Task AnExtensionThatTestsTheFilter_NarrowsIt_AndIsNoHandler() => HvaShared.VerifyAsync("using static Ranges;\n" + FilterPort + """
        static class Notifier
        {
            static void kvm_mmu_notifier_guarded(kvm kvm, ulong start)
            {
                var range = new kvm_gfn_range { start = start, attr_filter = filter_of(kvm) };
                if (!valid(range) || !range.is_shared())
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_unguarded(kvm kvm, ulong start)
            {
                var range = new kvm_gfn_range { start = start, attr_filter = filter_of(kvm) };
                if (!valid(range))
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_traced(kvm kvm, ulong start)
            {
                var range = new kvm_gfn_range { start = start, attr_filter = filter_of(kvm) };
                {|KVM0002:traced(range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task AnExtensionThatTestsTheFilter_GuestMemfd() => GmemPrivate.VerifyAsync("using static Ranges;\n" + FilterPort + """
        static class GuestMemfd
        {
            static void kvm_gmem_punch_hole(kvm kvm)
            {
                var range = new kvm_gfn_range { attr_filter = filter_of(kvm) };
                if (!range.is_private())
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_gmem_release(kvm kvm)
            {
                var range = new kvm_gfn_range { attr_filter = filter_of(kvm) };
                if (range.is_shared())
                    return;
                {|KVM0005:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);
}
