using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A helper's returned range carries the flags it was built with (SPEC section 2: flags are
/// followed through helpers that set them through their return value), bound to each call's
/// arguments: a simulator's factory <c>KvmGfnRange.Shared(slot, start, end)</c> on a positional
/// record struct was reported on every HVA path that used it.
/// </summary>
public sealed class ReturnedRangeTests
{
    /// <summary>A simulator's own types: a positional record struct with factories, a property that builds a range.</summary>
    private const string Simulator = """
        using System;
        public sealed class Vm { }
        public sealed class KvmMemorySlot
        {
            public ulong BaseGfn, NPages;
            public KvmGfnRange WholeShared => KvmGfnRange.Shared(this, BaseGfn, BaseGfn + NPages);
        }
        public readonly record struct KvmGfnRange(KvmMemorySlot Slot, ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared)
        {
            public static KvmGfnRange Shared(KvmMemorySlot slot, ulong s, ulong e) => new(slot, s, e, false, true);
            public static KvmGfnRange Private(KvmMemorySlot slot, ulong s, ulong e) => new(slot, s, e, OnlyPrivate: true, OnlyShared: false);
            public static KvmGfnRange Side(KvmMemorySlot slot, bool shared) => new(slot, 0, 1, !shared, shared);
            public KvmGfnRange AsShared() => this with { OnlyPrivate = false, OnlyShared = true };
        }
        public static class Mmu
        {
            public static bool AgeGfn(Vm vm, in KvmGfnRange range) => false;
            public static bool UnmapGfnRange(Vm vm, in KvmGfnRange range) => true;
        }

        """;

    [Fact]
    public Task FactoryRanges_KeepTheirSide_OnHvaPaths() => HvaShared.VerifyAsync(Simulator + """
        public class Factories
        {
            public virtual KvmGfnRange Overridable(KvmMemorySlot slot) => KvmGfnRange.Shared(slot, 0, 1);
        }

        public static class Notifier
        {
            static KvmGfnRange Forward(KvmGfnRange range) => range;

            static KvmGfnRange Either(KvmMemorySlot slot, bool young)
            {
                if (young)
                    return KvmGfnRange.Shared(slot, 0, 1);
                return KvmGfnRange.Side(slot, shared: true);
            }

            public static bool kvm_mmu_notifier_clear_young(Vm vm, KvmMemorySlot slot, KvmGfnRange given, Factories factories, bool young)
            {
                var ret = Mmu.AgeGfn(vm, KvmGfnRange.Shared(slot, 0, 1));
                var copy = KvmGfnRange.Shared(slot, 0, 1) with { End = 2 };
                ret |= Mmu.AgeGfn(vm, copy);
                ret |= Mmu.AgeGfn(vm, KvmGfnRange.Side(slot, shared: true));
                ret |= Mmu.AgeGfn(vm, slot.WholeShared);
                ret |= Mmu.AgeGfn(vm, given.AsShared());
                ret |= Mmu.AgeGfn(vm, Forward(KvmGfnRange.Shared(slot, 0, 1)));
                ret |= Mmu.AgeGfn(vm, Either(slot, young));

                ret |= {|KVM0002:Mmu.AgeGfn(vm, KvmGfnRange.Private(slot, 0, 1))|};
                ret |= {|KVM0002:Mmu.AgeGfn(vm, KvmGfnRange.Side(slot, shared: false))|};
                ret |= {|KVM0002:Mmu.AgeGfn(vm, KvmGfnRange.Side(slot, young))|};
                // Forward gets a range of the callers' too, and is checked as any call that receives one.
                ret |= {|KVM0002:Mmu.AgeGfn(vm, {|KVM0002:Forward(given)|})|};
                // Another override may return anything.
                ret |= {|KVM0002:Mmu.AgeGfn(vm, factories.Overridable(slot))|};
                return ret;
            }
        }
        """);

    /// <summary>
    /// A helper that builds its returned range from the one it is given (a fluent <c>r.AsShared()</c>)
    /// is not passed a range on: what it returns is checked. One that also hands the range it gets
    /// to a call, or returns a flag it was given, is passed it.
    /// </summary>
    [Fact]
    public Task BuildersFromARange_AreNotPassedItOn() => HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """
        static class Builders
        {
            public static kvm_gfn_range as_shared(this kvm_gfn_range r)
            {
                r.only_private = false;
                r.only_shared = true;
                return r;
            }

            public static kvm_gfn_range shared_from(kvm_gfn_range from) => new kvm_gfn_range { start = from.start, end = from.end, only_shared = true };

            public static kvm_gfn_range zap_then_share(kvm kvm, kvm_gfn_range r)
            {
                kvm_unmap_gfn_range(kvm, ref r);
                return r.as_shared();
            }

            public static kvm_gfn_range keep_private(kvm_gfn_range r) => new kvm_gfn_range { only_private = r.only_private, only_shared = true };
        }

        static class KvmMain
        {
            static bool kvm_mmu_notifier_clear_young(kvm kvm, kvm_gfn_range given, kvm_gfn_range other, gfn_handler_t handler)
            {
                var r = default(kvm_gfn_range).as_shared();
                var ret = handler(kvm, ref r);
                var s = Builders.shared_from(given);
                ret |= handler(kvm, ref s);
                var t = {|KVM0002:Builders.zap_then_share(kvm, given)|};
                ret |= handler(kvm, ref t);
                return ret | {|KVM0002:Builders.keep_private(other)|}.start > 0;
            }
        }
        """);

    [Fact]
    public Task FactoryRanges_KeepTheirSide_OnGuestMemfdPaths() => GmemPrivate.VerifyAsync(Simulator + """
        public static class GuestMemfd
        {
            public static void kvm_gmem_invalidate_begin(Vm vm, KvmMemorySlot slot)
            {
                Mmu.UnmapGfnRange(vm, KvmGfnRange.Private(slot, 0, slot.NPages));
                {|KVM0005:Mmu.UnmapGfnRange(vm, KvmGfnRange.Shared(slot, 0, slot.NPages))|};
            }
        }
        """);

    /// <summary>
    /// The runtime's own factory, <c>KvmGfnRange.WithFilter(slot, start, end, filter)</c>, is a
    /// library method with no body to summarise: its range is shared-only where the filter is
    /// Shared alone, private-only where it is Private alone.
    /// </summary>
    [Fact]
    public Task TheRuntimesWithFilter_TargetsItsFiltersSide() => HvaShared.VerifyAsync("""
        using GfnGuard.Runtime;

        public static class Port
        {
            public static bool kvm_mmu_notifier_clear_young(Kvm kvm, KvmMemorySlot slot, KvmGfnRangeFilter given)
            {
                var shared = KvmGfnRange.WithFilter(slot, 0, 1, KvmGfnRangeFilter.Shared);
                var ret = KvmMmu.AgeGfn(kvm, ref shared);
                var filter = KvmGfnRangeFilter.Shared;
                var alsoShared = KvmGfnRange.WithFilter(slot, 0, 1, filter);
                ret |= KvmMmu.AgeGfn(kvm, ref alsoShared);
                var @private = KvmGfnRange.WithFilter(slot, 0, 1, KvmGfnRangeFilter.Private);
                ret |= {|KVM0002:KvmMmu.AgeGfn(kvm, ref @private)|};
                var both = KvmGfnRange.WithFilter(slot, 0, 1, KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private);
                ret |= {|KVM0002:KvmMmu.AgeGfn(kvm, ref both)|};
                var unknown = KvmGfnRange.WithFilter(slot, 0, 1, given);
                return ret | {|KVM0002:KvmMmu.AgeGfn(kvm, ref unknown)|};
            }
        }
        """);

    [Fact]
    public Task FilterFactories_TargetSomething_AtTheZap() => EmptyFilter.VerifyAsync("""
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1 << 0, KVM_FILTER_PRIVATE = 1 << 1 }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        static class Mmu
        {
            static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;

            static kvm_gfn_range both(ulong start, ulong end) =>
                new kvm_gfn_range { start = start, end = end, attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE };

            static kvm_gfn_range unfiltered(ulong start, ulong end) => new kvm_gfn_range { start = start, end = end };

            static void kvm_arch_pre_set_memory_attributes(kvm kvm, ulong start, ulong end)
            {
                var range = both(start, end);
                kvm_unmap_gfn_range(kvm, ref range);
                var empty = unfiltered(start, end);
                {|KVM0004:kvm_unmap_gfn_range(kvm, ref empty)|};
            }
        }
        """);

    /// <summary>
    /// A range returned shared-only that the caller then makes private too has both flags; a
    /// factory that sets both is reported in its own body, once, not at each call.
    /// </summary>
    [Fact]
    public Task BothFlags_OfAReturnedRange() => BothFlags.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """
        static class C
        {
            static kvm_gfn_range shared(ulong start) => new kvm_gfn_range { start = start, only_shared = true };

            static kvm_gfn_range broken() => new kvm_gfn_range { only_private = true, {|KVM0001:only_shared = true|} };

            static kvm_gfn_range recursive(int depth) => depth == 0 ? shared(0) : recursive(depth - 1);

            static void use()
            {
                var r = shared(0);
                {|KVM0001:r.only_private = true|};
                var s = broken();
                s.may_block = true;
                var t = recursive(3);
                t.only_private = false;
            }
        }
        """);
}
