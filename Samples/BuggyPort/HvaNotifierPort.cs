using System.Collections.Generic;
using GfnGuard.Runtime;

namespace BuggyPort
{
    /// <summary>
    /// A hand port of the mmu_notifier HVA walk (virt/kvm/kvm_main.c, __kvm_handle_hva_range and
    /// kvm_mmu_notifier_invalidate_range_start) as ports get it wrong: written from a kernel that
    /// predates guest_memfd, so its gfn ranges carry no filter, and tidied up so that the reclaim
    /// happens "while we still hold the lock".
    /// </summary>
    public static class HvaNotifierPort
    {
        /// <summary>Kernel: __kvm_handle_hva_range.</summary>
        public static KvmMmuNotifierReturn HandleHvaRange(Kvm kvm, in KvmHvaRange range, bool reclaim)
        {
            var r = new KvmMmuNotifierReturn();
            var slots = new List<KvmMemorySlot>();
            for (var asId = 0; asId < Kvm.AddressSpaceCount; asId++)
            {
                slots.Clear();
                kvm.Memslots(asId).FindByHvaRange(range.Start, range.End - 1, slots);
                foreach (var slot in slots)
                {
                    var hvaStart = System.Math.Max(range.Start, slot.UserspaceAddress);
                    var hvaEnd = System.Math.Min(range.End, slot.EndHva);
                    var gfnRange = new KvmGfnRange
                    {
                        Slot = slot,
                        Start = slot.HvaToGfn(hvaStart),
                        End = slot.HvaToGfn(hvaEnd + KvmMemorySlot.PageSize - 1),
                        MayBlock = range.MayBlock,
                    };

                    if (!r.FoundMemslot)
                    {
                        r.FoundMemslot = true;
                        kvm.MmuLock.WriteLock();
                        range.OnLock?.Invoke(kvm);
                    }

                    // KVM0002: no OnlyShared, so an munmap of the shared alias also zaps private SPTEs.
                    if (range.Handler is { } handler)
                    {
                        r.Ret |= handler(kvm, ref gfnRange);
                    }
                }
            }

            if (range.FlushOnReturn && r.Ret)
            {
                kvm.FlushRemoteTlbs();
            }

            if (r.FoundMemslot)
            {
                if (reclaim)
                {
                    // KVM0003: on SEV this is WBINVD on every CPU, with every vCPU fault waiting on mmu_lock.
                    KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
                }

                kvm.MmuLock.WriteUnlock();
            }

            return r;
        }

        /// <summary>Kernel: kvm_mmu_notifier_invalidate_range_start.</summary>
        public static void InvalidateRangeStart(Kvm kvm, in MmuNotifierRange range)
        {
            var hvaRange = new KvmHvaRange(range.Start, range.End, Kvm.MmuUnmapGfnRange, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: range.Blockable);
            kvm.MnInvalidateStarted();
            HandleHvaRange(kvm, hvaRange, reclaim: true);
        }

        /// <summary>The runtime's notifier callbacks with this port's invalidate_range_start: what the demo runs.</summary>
        public static KvmMmuNotifierOps Ops { get; } = KvmMmuNotifierOps.Kernel.WithInvalidateRangeStart(InvalidateRangeStart);
    }
}
