using System.Collections.Generic;
using GfnGuard.Runtime;

namespace CleanPort
{
    /// <summary>
    /// The mmu_notifier half of virt/kvm/kvm_main.c (Linux 6.12+), ported function by function:
    /// the HVA walk with its shared-only ranges, the lazy mmu_lock and the reclaim after it.
    /// <see cref="Ops"/> plugs these functions into a runtime VM in place of its own.
    /// </summary>
    public static class KvmMainNotifier
    {
        /// <summary>Kernel: kvm_mmu_notifier_ops.</summary>
        public static KvmMmuNotifierOps Ops { get; } = new KvmMmuNotifierOps(
            kvm_mmu_notifier_invalidate_range_start,
            kvm_mmu_notifier_invalidate_range_end,
            kvm_mmu_notifier_clear_flush_young,
            kvm_mmu_notifier_clear_young,
            kvm_mmu_notifier_test_young,
            kvm_mmu_notifier_release);

        /// <summary>
        /// Kernel: __kvm_handle_hva_range. mmu_lock is taken on the first memslot found, and only
        /// then; the caller learns whether it was from <c>found_memslot</c>.
        /// </summary>
        public static KvmMmuNotifierReturn __kvm_handle_hva_range(Kvm kvm, in KvmHvaRange range)
        {
            var r = new KvmMmuNotifierReturn { Ret = false, FoundMemslot = false };
            if (range.End <= range.Start)
            {
                return r;
            }

            var slots = new List<KvmMemorySlot>();
            for (var i = 0; i < Kvm.AddressSpaceCount; i++)
            {
                slots.Clear();
                kvm.Memslots(i).FindByHvaRange(range.Start, range.End - 1, slots);
                foreach (var slot in slots)
                {
                    // To optimize for the likely case where the address range is covered by one
                    // memslot, don't bother making these conditional (to avoid writes on the
                    // second or later invocation of the handler).
                    var hvaStart = System.Math.Max(range.Start, slot.UserspaceAddress);
                    var hvaEnd = System.Math.Min(range.End, slot.EndHva);

                    // HVA-based notifications aren't relevant to private mappings as they don't
                    // have a userspace mapping.
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
                        kvm.MmuLock.WriteLock();
                        range.OnLock?.Invoke(kvm);
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
            if (r.FoundMemslot)
            {
                kvm.MmuLock.WriteUnlock();
            }

            return r;
        }

        /// <summary>Kernel: kvm_handle_hva_range.</summary>
        public static bool kvm_handle_hva_range(Kvm kvm, ulong start, ulong end, KvmGfnRangeHandler handler)
        {
            var range = new KvmHvaRange(start, end, handler, onLock: null, flushOnReturn: true, mayBlock: false);
            return __kvm_handle_hva_range(kvm, range).Ret;
        }

        /// <summary>Kernel: kvm_handle_hva_range_no_flush.</summary>
        public static bool kvm_handle_hva_range_no_flush(Kvm kvm, ulong start, ulong end, KvmGfnRangeHandler handler)
        {
            var range = new KvmHvaRange(start, end, handler, onLock: null, flushOnReturn: false, mayBlock: false);
            return __kvm_handle_hva_range(kvm, range).Ret;
        }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_start.</summary>
        public static void kvm_mmu_notifier_invalidate_range_start(Kvm kvm, in MmuNotifierRange range)
        {
            var hvaRange = new KvmHvaRange(range.Start, range.End, Kvm.MmuUnmapGfnRange, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: range.Blockable);

            // Prevent memslot modification between range_start() and range_end() so that
            // conditionally locking provides the same result in both functions.
            kvm.MnInvalidateStarted();

            // If one or more memslots were found and thus zapped, notify arch code that guest
            // memory has been reclaimed. This needs to be done *after* dropping mmu_lock, as
            // x86's reclaim path is slow.
            if (__kvm_handle_hva_range(kvm, hvaRange).FoundMemslot)
            {
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
            }
        }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_end.</summary>
        public static void kvm_mmu_notifier_invalidate_range_end(Kvm kvm, in MmuNotifierRange range)
        {
            var hvaRange = new KvmHvaRange(range.Start, range.End, handler: null, onLock: k => k.MmuInvalidateEnd(), flushOnReturn: false, mayBlock: range.Blockable);
            __kvm_handle_hva_range(kvm, hvaRange);
            kvm.MnInvalidateEnded();
        }

        /// <summary>Kernel: kvm_mmu_notifier_clear_flush_young.</summary>
        public static bool kvm_mmu_notifier_clear_flush_young(Kvm kvm, ulong start, ulong end) =>
            kvm_handle_hva_range(kvm, start, end, KvmMmu.AgeGfn);

        /// <summary>
        /// Kernel: kvm_mmu_notifier_clear_young. Even though this doesn't flush, clearing the
        /// accessed bit is only a hint for reclaim; a stale TLB entry costs nothing.
        /// </summary>
        public static bool kvm_mmu_notifier_clear_young(Kvm kvm, ulong start, ulong end) =>
            kvm_handle_hva_range_no_flush(kvm, start, end, KvmMmu.AgeGfn);

        /// <summary>Kernel: kvm_mmu_notifier_test_young.</summary>
        public static bool kvm_mmu_notifier_test_young(Kvm kvm, ulong start, ulong end) =>
            kvm_handle_hva_range_no_flush(kvm, start, end, KvmMmu.TestAgeGfn);

        /// <summary>Kernel: kvm_mmu_notifier_release → kvm_flush_shadow_all (zap all, then reclaim unlocked).</summary>
        public static void kvm_mmu_notifier_release(Kvm kvm) => kvm.FlushShadowAll();
    }
}
