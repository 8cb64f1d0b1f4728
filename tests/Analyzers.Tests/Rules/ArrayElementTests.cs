using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// Array elements are places (SPEC section 2): by constant index, by a local index within the
/// statements that do not change it, through a <c>ref</c> to the element, and through a span's
/// indexer. Another index of the same array may be the same element.
/// </summary>
public sealed class ArrayElementTests
{
    private static string Port(string body) => "using static Kernel;\n" + KernelPort.Declarations + "\n" + body;

    [Fact]
    public Task BothFlagsOfOneElement_Report_TwoElements_DoNot() => BothFlags.VerifyAsync(Port("""
        static class C
        {
            static kvm_gfn_range[] constant_index()
            {
                var ranges = new kvm_gfn_range[2];
                ranges[0].only_shared = true;
                ranges[1].only_private = true;
                ranges[0].only_private = false;
                {|KVM0001:ranges[1].only_shared = true|};
                return ranges;
            }

            static void through_a_ref(kvm_gfn_range[] ranges)
            {
                ref var r = ref ranges[0];
                r.only_private = false;
                r.only_shared = true;
                ranges[0].only_shared = false;
                r.only_private = true;
            }

            static void loop(kvm_gfn_range[] ranges)
            {
                for (var i = 0; i < ranges.Length; i++)
                {
                    ranges[i].only_shared = true;
                    {|KVM0001:ranges[i].only_private = true|};
                }
            }

            // i + 1 is another element than i; j may be i.
            static void other_index(kvm_gfn_range[] ranges, int i, int j)
            {
                ranges[i].only_shared = true;
                ranges[i].only_private = false;
                ranges[j].only_private = true;
                ranges[i].only_private = false;
            }
        }
        """), withRuntime: true);

    [Fact]
    public Task ElementsMadeSharedOnly_PassTheHvaPath() => HvaShared.VerifyAsync(Port("""
        static class C
        {
            static bool handler(kvm kvm, ref kvm_gfn_range range) => true;

            static void kvm_handle_hva_range(kvm kvm, kvm_memory_slot[] slots)
            {
                var ranges = new kvm_gfn_range[slots.Length];
                for (var i = 0; i < slots.Length; i++)
                {
                    ranges[i].slot = slots[i];
                    ranges[i].only_private = false;
                    ranges[i].only_shared = true;
                    handler(kvm, ref ranges[i]);
                }

                System.Span<kvm_gfn_range> span = ranges;
                span[0].only_private = false;
                span[0].only_shared = true;
                handler(kvm, ref span[0]);

                ranges[0].only_private = false;
                ranges[0].only_shared = true;
                var i2 = 1;
                ranges[i2].only_private = true;
                {|KVM0002:handler(kvm, ref ranges[0])|};
            }
        }
        """), withRuntime: true);

    /// <summary>
    /// An element given a new range with an initializer (<c>ranges[i] = new kvm_gfn_range { ... }</c>):
    /// the graph captures the element before the initializer runs, and the store goes to the element.
    /// Before, it went to the capture: the element stayed unknown (a false KVM0002) and a flag set
    /// on it afterwards was not seen with the other (KVM0001 missed).
    /// </summary>
    [Fact]
    public Task AnElementGivenANewRangeWithAnInitializer_HoldsIt() => HvaShared.VerifyAsync(Port("""
        static class C
        {
            static bool handler(kvm kvm, ref kvm_gfn_range range) => true;

            static void kvm_handle_hva_range(kvm kvm, kvm_memory_slot[] slots)
            {
                var ranges = new kvm_gfn_range[slots.Length];
                for (var i = 0; i < slots.Length; i++)
                {
                    ranges[i] = new kvm_gfn_range { slot = slots[i], only_private = false, only_shared = true };
                    handler(kvm, ref ranges[i]);
                }

                ranges[0] = new kvm_gfn_range { only_shared = true };
                handler(kvm, ref ranges[0]);

                System.Span<kvm_gfn_range> span = new kvm_gfn_range[1];
                span[0] = new kvm_gfn_range { only_shared = true };
                handler(kvm, ref span[0]);

                ranges[0] = new kvm_gfn_range { only_private = true };
                {|KVM0002:handler(kvm, ref ranges[0])|};
            }
        }
        """), withRuntime: true);

    [Fact]
    public Task AFlagSetOnTheElementAfterward_IsSeenWithTheOther() => BothFlags.VerifyAsync(Port("""
        static class C
        {
            static kvm_gfn_range[] build()
            {
                var ranges = new kvm_gfn_range[2];
                ranges[0] = new kvm_gfn_range { only_private = true };
                {|KVM0001:ranges[0].only_shared = true|};
                ranges[1] = new kvm_gfn_range { only_private = true };
                ranges[1].only_private = false;
                ranges[1].only_shared = true;
                return ranges;
            }
        }
        """), withRuntime: true);

    /// <summary>
    /// A fresh array's elements are zeroed: an element's flag read at an index the analysis
    /// cannot follow (`ranges[i]` in a loop) is false when nothing in the method can set that flag
    /// of any element (the array is used only through its elements, and only false is stored in
    /// that flag). It was unknown, so `ranges[i].only_shared = true; handler(kvm, ref ranges[i]);`
    /// was a KVM0002 at Error.
    /// </summary>
    [Fact]
    public Task AFreshArraysElements_AreZeroed_WhereNothingSetsTheFlag() => HvaShared.VerifyAsync(Port("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_constant_index(kvm kvm)
            {
                var ranges = new kvm_gfn_range[2];
                ranges[0].only_shared = true;
                kvm_unmap_gfn_range(kvm, ref ranges[0]);
            }

            static void kvm_mmu_notifier_loop(kvm kvm, int n)
            {
                var ranges = new kvm_gfn_range[n];
                for (var i = 0; i < ranges.Length; i++)
                {
                    ranges[i].start = (ulong)i;
                    ranges[i].only_shared = true;
                    kvm_unmap_gfn_range(kvm, ref ranges[i]);
                }
            }

            static void kvm_mmu_notifier_span(kvm kvm, int n, System.Span<kvm_gfn_range> given)
            {
                System.Span<kvm_gfn_range> ranges = new kvm_gfn_range[n];
                for (var i = 0; i < ranges.Length; i++)
                {
                    ranges[i].only_shared = true;
                    kvm_unmap_gfn_range(kvm, ref ranges[i]);
                }

                for (var i = 0; i < given.Length; i++)
                {
                    given[i].only_shared = true;
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref given[i])|};
                }
            }

            static void kvm_mmu_notifier_other_flag_set(kvm kvm, int n)
            {
                var ranges = new kvm_gfn_range[n];
                ranges[1].only_private = true;
                for (var i = 0; i < n; i++)
                {
                    ranges[i].only_shared = true;
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref ranges[i])|};
                }
            }

            static void kvm_mmu_notifier_array_handed_on(kvm kvm, int n, kvm_gfn_range[] from)
            {
                var ranges = new kvm_gfn_range[n];
                System.Array.Copy(from, ranges, n);
                for (var i = 0; i < n; i++)
                {
                    ranges[i].only_shared = true;
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref ranges[i])|};
                }
            }

            static void kvm_mmu_notifier_element_stored(kvm kvm, int n, kvm_gfn_range given)
            {
                var ranges = new kvm_gfn_range[n];
                ranges[n - 1] = given;
                for (var i = 0; i < n; i++)
                {
                    ranges[i].only_shared = true;
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref ranges[i])|};
                }
            }
        }
        """));
}
