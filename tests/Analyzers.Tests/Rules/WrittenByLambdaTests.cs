using System.Threading.Tasks;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A lambda or local function that writes a local of its method may run at any call after it is
/// made: what it writes is then unknown to the method (a constant it stores joins what was
/// there), and what it does not write is kept. Before, the method trusted the value it had
/// stored, so a range a callback made private-only still counted as shared-only.
/// </summary>
public sealed class WrittenByLambdaTests
{
    private const string Kernel = """
        public sealed class kvm { }
        public struct kvm_gfn_range { public ulong start, end; public bool only_private, only_shared; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        public static class Slots
        {
            public static void kvm_for_each_memslot(kvm kvm, System.Action<ulong> visit) => visit(0);
        }

        """;

    [Fact]
    public Task WhatALambdaWrites_IsUnknownAfterACall_WhatItLeavesIsKept() => HvaShared.VerifyAsync(Kernel + """
        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                // Writes another member: the flags stay.
                var start = new kvm_gfn_range { only_shared = true };
                Slots.kvm_for_each_memslot(kvm, gfn => start.start = gfn);
                var ret = handler(kvm, ref start);

                // Stores the constant the flag already holds: it holds it either way.
                var same = new kvm_gfn_range { only_shared = true };
                Slots.kvm_for_each_memslot(kvm, gfn => same.only_private = false);
                ret |= handler(kvm, ref same);

                // Makes the range private-only.
                var flipped = new kvm_gfn_range { only_shared = true };
                Slots.kvm_for_each_memslot(kvm, gfn => { flipped.only_shared = false; flipped.only_private = true; });
                ret |= {|KVM0002:handler(kvm, ref flipped)|};

                // A bool the range is built from, written by a local function.
                bool shared = true;
                void pick(bool value) => shared = value;
                pick(false);
                var fromLocal = new kvm_gfn_range { only_shared = shared };
                return ret | {|KVM0002:handler(kvm, ref fromLocal)|};
            }
        }
        """, withRuntime: false);

    /// <summary>Before the lambda runs (no call between), the method's own store still holds.</summary>
    [Fact]
    public Task BeforeAnyCall_TheMethodsOwnStoreHolds() => HvaShared.VerifyAsync(Kernel + """
        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = true };
                System.Action later = () => range.only_shared = false;
                var ret = handler(kvm, ref range);
                later();
                return ret | {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """, withRuntime: false);
}
