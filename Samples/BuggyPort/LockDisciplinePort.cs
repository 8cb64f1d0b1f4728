using System.Collections.Generic;
using GfnGuard.Runtime;

namespace BuggyPort
{
    /// <summary>
    /// The other half of the lock discipline, as a port "optimised" it: an invalidate_range_start
    /// that sends the TLB shootdown after dropping mmu_lock, to keep the lock hold short (KVM0006),
    /// and a clear_flush_young that stops at the first young page without dropping the lock (KVM0007).
    /// Kernel: virt/kvm/kvm_main.c, kvm_mmu_notifier_invalidate_range_start and
    /// kvm_mmu_notifier_clear_flush_young, both through __kvm_handle_hva_range.
    /// </summary>
    public static class LockDisciplinePort
    {
        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_start, with the flush moved past the unlock.</summary>
        public static void InvalidateRangeStart(Kvm kvm, in MmuNotifierRange range)
        {
            kvm.MnInvalidateStarted();
            var flush = false;
            var locked = false;
            var slots = new List<KvmMemorySlot>();
            kvm.Memslots(0).FindByHvaRange(range.Start, range.End - 1, slots);
            foreach (var slot in slots)
            {
                var hvaStart = System.Math.Max(range.Start, slot.UserspaceAddress);
                var hvaEnd = System.Math.Min(range.End, slot.EndHva);
                var gfnRange = new KvmGfnRange
                {
                    Slot = slot,
                    Start = slot.HvaToGfn(hvaStart),
                    End = slot.HvaToGfn(hvaEnd + KvmMemorySlot.PageSize - 1),
                    MayBlock = range.Blockable,
                    OnlyPrivate = false,
                    OnlyShared = true,
                };

                if (!locked)
                {
                    locked = true;
                    kvm.MmuLock.WriteLock();
                    kvm.MmuInvalidateBegin();
                }

                flush |= Kvm.MmuUnmapGfnRange(kvm, ref gfnRange);
            }

            if (locked)
            {
                kvm.MmuLock.WriteUnlock();
            }

            // KVM0006: "the shootdown IPIs are slow, send them without the lock". Until then every
            // other vCPU's TLB still maps the pages the host frees as soon as this returns.
            if (flush)
            {
                kvm.FlushRemoteTlbs();
            }

            if (locked)
            {
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
            }
        }

        /// <summary>Kernel: kvm_mmu_notifier_clear_flush_young, returning as soon as one page was young.</summary>
        public static bool ClearFlushYoung(Kvm kvm, ulong start, ulong end)
        {
            var slots = new List<KvmMemorySlot>();
            kvm.Memslots(0).FindByHvaRange(start, end - 1, slots);
            if (slots.Count == 0)
            {
                return false;
            }

            kvm.MmuLock.WriteLock();
            var young = false;
            foreach (var slot in slots)
            {
                var gfnRange = new KvmGfnRange
                {
                    Slot = slot,
                    Start = slot.HvaToGfn(System.Math.Max(start, slot.UserspaceAddress)),
                    End = slot.HvaToGfn(System.Math.Min(end, slot.EndHva) + KvmMemorySlot.PageSize - 1),
                    OnlyPrivate = false,
                    OnlyShared = true,
                };

                if (KvmMmu.AgeGfn(kvm, ref gfnRange))
                {
                    // KVM0007: "one young page is enough to keep the range", but the lock is never dropped.
                    return true;
                }
            }

            kvm.MmuLock.WriteUnlock();
            return young;
        }

        /// <summary>The runtime's callbacks with these two in place of its own.</summary>
        public static KvmMmuNotifierOps Ops { get; } = new KvmMmuNotifierOps(
            InvalidateRangeStart,
            KvmMmuNotifierOps.Kernel.InvalidateRangeEnd,
            ClearFlushYoung,
            KvmMmuNotifierOps.Kernel.ClearYoung,
            KvmMmuNotifierOps.Kernel.TestYoung,
            KvmMmuNotifierOps.Kernel.Release);
    }
}
