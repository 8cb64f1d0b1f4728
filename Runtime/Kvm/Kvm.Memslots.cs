using System;
using System.Collections.Generic;

namespace GfnGuard.Runtime
{
    /// <summary>Memslot creation, deletion and moves (virt/kvm/kvm_main.c, __kvm_set_memory_region).</summary>
    public sealed partial class Kvm
    {
        /// <summary>Kernel: kvm_gmem_create (KVM_CREATE_GUEST_MEMFD).</summary>
        /// <param name="size">The file's size in bytes: a non-zero multiple of the page size.</param>
        /// <param name="ops">The invalidation pair to run on punch-hole and release; the runtime's port of guest_memfd.c when null.</param>
        public KvmGmem CreateGuestMemfd(ulong size, KvmGmemOps? ops = null)
        {
            if (!Type.HasGmemPrivateMemory())
            {
                throw new InvalidOperationException($"{Type} VMs have no guest_memfd.");
            }

            return new KvmGmem(this, size, ops);
        }

        /// <summary>
        /// Kernel: kvm_set_memory_region. Creates, deletes (PageCount 0) or moves a memslot.
        /// Deleting or moving first invalidates the old slot: faults stop using it, in-flight
        /// notifier invalidations and readers drain, its mappings are zapped under mmu_lock,
        /// and guest memory is reclaimed once the lock is dropped.
        /// </summary>
        public KvmMemorySlot? SetUserMemoryRegion(in KvmUserspaceMemoryRegion region)
        {
            if (region.AddressSpaceId is < 0 or >= AddressSpaceCount)
            {
                throw new ArgumentOutOfRangeException(nameof(region), "as_id out of range.");
            }

            using (LockOrder.EnterSlotsLock(this))
            {
                var slots = Memslots(region.AddressSpaceId);
                var old = slots.FindById(region.Slot);
                if (old is not null)
                {
                    InvalidateMemslot(old);
                    old.Gmem?.Unbind(old);
                    slots = Memslots(region.AddressSpaceId).With(old, null);
                    SwapActiveMemslots(region.AddressSpaceId, slots);
                }

                if (region.PageCount == 0)
                {
                    return null;
                }

                var slot = CreateSlot(region, slots);
                SwapActiveMemslots(region.AddressSpaceId, slots.With(null, slot));
                return slot;
            }
        }

        /// <summary>
        /// Creates many memslots in one update (the kernel takes one ioctl each; a model with
        /// tens of thousands of slots would otherwise rebuild its index that many times).
        /// </summary>
        public void AddMemoryRegions(IReadOnlyList<KvmUserspaceMemoryRegion> regions, int addressSpaceId = 0)
        {
            using (LockOrder.EnterSlotsLock(this))
            {
                var slots = Memslots(addressSpaceId);
                var created = new List<KvmMemorySlot>(regions.Count);
                foreach (var region in regions)
                {
                    if (region.AddressSpaceId != addressSpaceId || slots.FindById(region.Slot) is not null)
                    {
                        throw new ArgumentException($"Slot {region.Slot} exists or is in another address space.", nameof(regions));
                    }

                    created.Add(CreateSlot(region, KvmMemslots.Empty));
                }

                var next = slots.WithMany(created);
                CheckNoOverlap(next);
                SwapActiveMemslots(addressSpaceId, next);
            }
        }

        private KvmMemorySlot CreateSlot(in KvmUserspaceMemoryRegion region, KvmMemslots slots)
        {
            if (slots.Count + 1 > MaxMemslots)
            {
                throw new InvalidOperationException("Too many memslots (KVM_MEM_SLOTS_NUM).");
            }

            var gmem = (region.Flags & MemslotFlags.GuestMemfd) != 0 ? region.GuestMemfd : null;
            if (gmem is not null && !ReferenceEquals(gmem.Kvm, this))
            {
                throw new ArgumentException("The guest_memfd belongs to another VM.", nameof(region));
            }

            var slot = new KvmMemorySlot(region.Slot, region.AddressSpaceId, region.BaseGfn, region.PageCount, region.UserspaceAddress, region.Flags, gmem, region.GuestMemfdOffset);
            var overlap = new List<KvmMemorySlot>();
            slots.FindByGfnRange(slot.BaseGfn, slot.EndGfn, overlap);
            if (overlap.Count > 0)
            {
                throw new InvalidOperationException($"gfn range of slot {slot.Id} overlaps slot {overlap[0].Id} (EEXIST).");
            }

            gmem?.Bind(slot);
            return slot;
        }

        /// <summary>Kernel: kvm_invalidate_memslot. Caller holds slots_lock.</summary>
        private void InvalidateMemslot(KvmMemorySlot old)
        {
            // From here no new mapping of the old slot is created: faults see it invalid and back off.
            old.MarkInvalid();
            SwapActiveMemslots(old.AddressSpaceId, Memslots(old.AddressSpaceId));

            MmuLock.WriteLock();
            try
            {
                KvmMmu.FlushShadowMemslot(this, old);
            }
            finally
            {
                MmuLock.WriteUnlock();
            }

            // After dropping mmu_lock: reclaim is slow.
            KvmArch.kvm_arch_guest_memory_reclaimed(this);
        }

        private static void CheckNoOverlap(KvmMemslots slots)
        {
            var list = slots.Slots;
            for (var i = 1; i < list.Count; i++)
            {
                if (list[i].BaseGfn < list[i - 1].EndGfn)
                {
                    throw new InvalidOperationException($"gfn range of slot {list[i].Id} overlaps slot {list[i - 1].Id} (EEXIST).");
                }
            }
        }
    }
}
