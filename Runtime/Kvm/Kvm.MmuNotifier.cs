using System;
using System.Threading;
using System.Collections.Generic;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The HVA walk behind every mmu_notifier event (virt/kvm/kvm_main.c): for each address
    /// space, each memslot whose HVA range intersects the event becomes a shared-only gfn range.
    /// </summary>
    public sealed partial class Kvm
    {
        /// <summary>
        /// Kernel: __kvm_handle_hva_range. mmu_lock is taken lazily, on the first memslot found,
        /// and dropped at the end only if it was taken.
        /// </summary>
        [HvaPath]
        public static KvmMmuNotifierReturn __kvm_handle_hva_range(Kvm kvm, in KvmHvaRange range)
        {
            var r = new KvmMmuNotifierReturn { Ret = false, FoundMemslot = false };
            if (range.End <= range.Start || (range.OnLock is null && range.Handler is null))
            {
                return r;
            }

            var idx = kvm.Srcu.ReadLock();
            var completed = false;
            try
            {
                var slots = new List<KvmMemorySlot>();
                for (var asId = 0; asId < AddressSpaceCount; asId++)
                {
                    slots.Clear();
                    kvm.Memslots(asId).FindByHvaRange(range.Start, range.End - 1, slots);
                    foreach (var slot in slots)
                    {
                        var hvaStart = System.Math.Max(range.Start, slot.UserspaceAddress);
                        var hvaEnd = System.Math.Min(range.End, slot.EndHva);

                        // HVA-based notifications aren't relevant to private mappings: those have
                        // no userspace mapping, so every range passed on here is shared-only.
                        var gfnRange = new KvmGfnRange
                        {
                            Arg = range.Arg,
                            MayBlock = range.MayBlock,
                            OnlyPrivate = false,
                            OnlyShared = true,
                            Start = slot.HvaToGfn(hvaStart),
                            End = slot.HvaToGfn(hvaEnd + KvmMemorySlot.PageSize - 1),
                            Slot = slot,
                        };

                        if (!r.FoundMemslot)
                        {
                            r.FoundMemslot = true;
                            if (!range.Lockless)
                            {
                                kvm.MmuLock.WriteLock();
                                range.OnLock?.Invoke(kvm);
                            }

                            if (range.Handler is null)
                            {
                                goto mmu_unlock;
                            }
                        }

                        r.Ret |= range.Handler!(kvm, ref gfnRange);
                    }
                }

                if (range.FlushOnReturn && r.Ret)
                {
                    kvm.FlushRemoteTlbs();
                }

            mmu_unlock:
                completed = true;
            }
            finally
            {
                // A checked-mode violation in a handler unwinds through here: drop what the walk
                // holds (flushing what it may have zapped first), so the VM is not left wedged.
                if (r.FoundMemslot && !range.Lockless)
                {
                    kvm.WriteUnlockAfterWalk(completed);
                }

                kvm.Srcu.ReadUnlock(idx);
            }

            return r;
        }

        /// <summary>Kernel: kvm_handle_hva_range: an aging-style walk that flushes TLBs if a handler asks.</summary>
        [HvaPath]
        internal static bool kvm_handle_hva_range(Kvm kvm, ulong start, ulong end, KvmGfnRangeHandler handler)
        {
            var range = new KvmHvaRange(start, end, handler, onLock: null, flushOnReturn: true, mayBlock: false, lockless: true);
            return __kvm_handle_hva_range(kvm, range).Ret;
        }

        /// <summary>Kernel: kvm_handle_hva_range_no_flush.</summary>
        [HvaPath]
        internal static bool kvm_handle_hva_range_no_flush(Kvm kvm, ulong start, ulong end, KvmGfnRangeHandler handler)
        {
            var range = new KvmHvaRange(start, end, handler, onLock: null, flushOnReturn: false, mayBlock: false, lockless: true);
            return __kvm_handle_hva_range(kvm, range).Ret;
        }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_start.</summary>
        internal void MmuNotifierInvalidateRangeStart(in MmuNotifierRange range)
        {
            var hvaRange = new KvmHvaRange(range.Start, range.End, MmuUnmapGfnRange, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: range.Blockable);

            // Prevent memslot modification between range_start() and range_end() so that
            // conditionally locking provides the same result in both functions.
            MnInvalidateStarted();

            // If one or more memslots were found and thus zapped, notify arch code that guest
            // memory has been reclaimed. This must be done *after* dropping mmu_lock, as x86's
            // reclaim path is slow.
            if (__kvm_handle_hva_range(this, hvaRange).FoundMemslot)
            {
                KvmArch.kvm_arch_guest_memory_reclaimed(this);
            }
        }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_end.</summary>
        internal void MmuNotifierInvalidateRangeEnd(in MmuNotifierRange range)
        {
            var hvaRange = new KvmHvaRange(range.Start, range.End, handler: null, onLock: k => k.MmuInvalidateEnd(), flushOnReturn: false, mayBlock: range.Blockable);
            __kvm_handle_hva_range(this, hvaRange);
            MnInvalidateEnded();
        }

        /// <summary>Kernel: kvm_mmu_notifier_clear_flush_young.</summary>
        internal bool MmuNotifierClearFlushYoung(ulong start, ulong end) => kvm_handle_hva_range(this, start, end, KvmMmu.AgeGfn);

        /// <summary>Kernel: kvm_mmu_notifier_clear_young: no TLB flush, the accessed bit is only a hint.</summary>
        internal bool MmuNotifierClearYoung(ulong start, ulong end) => kvm_handle_hva_range_no_flush(this, start, end, KvmMmu.AgeGfn);

        /// <summary>Kernel: kvm_mmu_notifier_test_young.</summary>
        internal bool MmuNotifierTestYoung(ulong start, ulong end) => kvm_handle_hva_range_no_flush(this, start, end, KvmMmu.TestAgeGfn);

        /// <summary>
        /// Kernel: kvm_mmu_notifier_release → kvm_flush_shadow_all → kvm_arch_flush_shadow_all,
        /// under SRCU and mmu_lock only. Not slots_lock: a memslot update holds slots_lock while
        /// synchronize_srcu waits for this very reader, so taking it here deadlocks. The mm is
        /// going away, so no fault can bring back a shared mapping; the SRCU read section keeps
        /// the memslots this walks alive.
        /// </summary>
        internal void MmuNotifierRelease()
        {
            var idx = Srcu.ReadLock();
            try
            {
                AfterReleaseEnteredSrcu?.Invoke();
                Volatile.Write(ref mmReleased, true);
                MmuLock.WriteLock();
                try
                {
                    KvmMmu.FlushShadowAll(this);
                }
                finally
                {
                    MmuLock.WriteUnlock();
                }
            }
            finally
            {
                Srcu.ReadUnlock(idx);
            }

            KvmArch.kvm_arch_guest_memory_reclaimed(this);
        }

        /// <summary>Test hook: runs in the mmu_notifier release once its SRCU read section is open.</summary>
        internal Action? AfterReleaseEnteredSrcu;

        // Set by the release: the VMM's mm is gone, so zapping needs neither an invalidation nor slots_lock.
        internal bool mmReleased;

        /// <summary>Kernel: kvm_flush_shadow_all: zap everything, then reclaim (after the lock is dropped).</summary>
        public void FlushShadowAll()
        {
            // slots_lock keeps memslots still while everything is zapped (no invalidation is open).
            using (LockOrder.EnterSlotsLock(this))
            {
                MmuLock.WriteLock();
                try
                {
                    KvmMmu.FlushShadowAll(this);
                }
                finally
                {
                    MmuLock.WriteUnlock();
                }
            }

            KvmArch.kvm_arch_guest_memory_reclaimed(this);
        }
    }
}
