using System;

namespace GfnGuard.Runtime
{
    /// <summary>An invalidate_range_start or _end callback of <see cref="KvmMmuNotifierOps"/>.</summary>
    public delegate void KvmMmuNotifierInvalidate(Kvm kvm, in MmuNotifierRange range);

    /// <summary>A clear_flush_young, clear_young or test_young callback: true if any page in [start, end) was young.</summary>
    public delegate bool KvmMmuNotifierAge(Kvm kvm, ulong start, ulong end);

    /// <summary>
    /// The callbacks KVM's mmu_notifier subscription runs. Kernel: <c>kvm_mmu_notifier_ops</c>
    /// in virt/kvm/kvm_main.c. <see cref="Kernel"/> is the runtime's own port; a port under test
    /// passes its own table to <see cref="Kvm(Machine, KvmVmType, HostAddressSpace, bool, KvmMmuNotifierOps?)"/>
    /// and its functions then run on every host event, so its bugs show up in the counters.
    /// </summary>
    public sealed class KvmMmuNotifierOps
    {
        /// <summary>A callback table; every callback is required (pass <see cref="Kernel"/>'s for the ones a port keeps).</summary>
        /// <param name="invalidateRangeStart">Kernel: kvm_mmu_notifier_invalidate_range_start; the range is in HVA bytes.</param>
        /// <param name="invalidateRangeEnd">Kernel: kvm_mmu_notifier_invalidate_range_end.</param>
        /// <param name="clearFlushYoung">Kernel: kvm_mmu_notifier_clear_flush_young: HVA bytes [start, end).</param>
        /// <param name="clearYoung">Kernel: kvm_mmu_notifier_clear_young.</param>
        /// <param name="testYoung">Kernel: kvm_mmu_notifier_test_young.</param>
        /// <param name="release">Kernel: kvm_mmu_notifier_release.</param>
        public KvmMmuNotifierOps(
            KvmMmuNotifierInvalidate invalidateRangeStart,
            KvmMmuNotifierInvalidate invalidateRangeEnd,
            KvmMmuNotifierAge clearFlushYoung,
            KvmMmuNotifierAge clearYoung,
            KvmMmuNotifierAge testYoung,
            Action<Kvm> release)
        {
            InvalidateRangeStart = invalidateRangeStart ?? throw new ArgumentNullException(nameof(invalidateRangeStart));
            InvalidateRangeEnd = invalidateRangeEnd ?? throw new ArgumentNullException(nameof(invalidateRangeEnd));
            ClearFlushYoung = clearFlushYoung ?? throw new ArgumentNullException(nameof(clearFlushYoung));
            ClearYoung = clearYoung ?? throw new ArgumentNullException(nameof(clearYoung));
            TestYoung = testYoung ?? throw new ArgumentNullException(nameof(testYoung));
            Release = release ?? throw new ArgumentNullException(nameof(release));
        }

        /// <summary>The runtime's port of kvm_main.c's callbacks.</summary>
        public static KvmMmuNotifierOps Kernel { get; } = new KvmMmuNotifierOps(
            (Kvm kvm, in MmuNotifierRange range) => kvm.MmuNotifierInvalidateRangeStart(range),
            (Kvm kvm, in MmuNotifierRange range) => kvm.MmuNotifierInvalidateRangeEnd(range),
            (kvm, start, end) => kvm.MmuNotifierClearFlushYoung(start, end),
            (kvm, start, end) => kvm.MmuNotifierClearYoung(start, end),
            (kvm, start, end) => kvm.MmuNotifierTestYoung(start, end),
            kvm => kvm.MmuNotifierRelease());

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_start.</summary>
        public KvmMmuNotifierInvalidate InvalidateRangeStart { get; }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_end.</summary>
        public KvmMmuNotifierInvalidate InvalidateRangeEnd { get; }

        /// <summary>Kernel: kvm_mmu_notifier_clear_flush_young.</summary>
        public KvmMmuNotifierAge ClearFlushYoung { get; }

        /// <summary>Kernel: kvm_mmu_notifier_clear_young.</summary>
        public KvmMmuNotifierAge ClearYoung { get; }

        /// <summary>Kernel: kvm_mmu_notifier_test_young.</summary>
        public KvmMmuNotifierAge TestYoung { get; }

        /// <summary>Kernel: kvm_mmu_notifier_release.</summary>
        public Action<Kvm> Release { get; }

        /// <summary>This table with invalidate_range_start replaced: the callback ports most often get wrong.</summary>
        public KvmMmuNotifierOps WithInvalidateRangeStart(KvmMmuNotifierInvalidate invalidateRangeStart) =>
            new KvmMmuNotifierOps(invalidateRangeStart, InvalidateRangeEnd, ClearFlushYoung, ClearYoung, TestYoung, Release);
    }
}
