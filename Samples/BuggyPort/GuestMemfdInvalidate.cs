using GfnGuard.Runtime;

namespace BuggyPort
{
    /// <summary>
    /// A hand port of guest_memfd's invalidation (virt/kvm/guest_memfd.c) as it goes wrong twice:
    /// a range builder that ends up with both flags, and an invalidate_begin whose range was
    /// copied from the HVA path and so never zaps the private mappings of the pages it frees.
    /// </summary>
    public static class GuestMemfdInvalidate
    {
        /// <summary>
        /// The pair the model runs on punch-hole and release
        /// (<see cref="Kvm.CreateGuestMemfd(ulong, KvmGmemOps?)"/>).
        /// </summary>
        public static KvmGmemOps Ops { get; } = new KvmGmemOps(kvm_gmem_invalidate_begin, kvm_gmem_invalidate_end);

        public static KvmGfnRange BuildPunchHoleRange(KvmMemorySlot slot, ulong start, ulong end)
        {
            var gfnRange = new KvmGfnRange(slot, start, end)
            {
                OnlyShared = true, // copied from the mmu_notifier path
                MayBlock = true,
            };

            // KVM0001: private-only added on top of shared-only.
            gfnRange.OnlyPrivate = true;
            return gfnRange;
        }

        /// <summary>
        /// Kernel: __kvm_gmem_invalidate_begin, with the filter of __kvm_handle_hva_range copied in
        /// (KVM0005): the private SPTEs of the punched pages stay mapped while guest_memfd frees them.
        /// </summary>
        public static void kvm_gmem_invalidate_begin(KvmGmem gmem, ulong start, ulong end)
        {
            var kvm = gmem.Kvm;
            var flush = false;
            var found_memslot = false;

            foreach (var slot in gmem.BindingsIn(start, end))
            {
                var pgoff = slot.GmemOffset;
                var gfn_range = new KvmGfnRange
                {
                    Start = slot.BaseGfn + System.Math.Max(pgoff, start) - pgoff,
                    End = slot.BaseGfn + System.Math.Min(pgoff + slot.PageCount, end) - pgoff,
                    Slot = slot,
                    MayBlock = true,
                    OnlyShared = true,
                };

                if (!found_memslot)
                {
                    found_memslot = true;
                    kvm.MmuLock.WriteLock();
                    kvm.MmuInvalidateBegin();
                }

                flush |= Kvm.MmuUnmapGfnRange(kvm, ref gfn_range);
            }

            if (flush)
            {
                kvm.FlushRemoteTlbs();
            }

            if (found_memslot)
            {
                kvm.MmuLock.WriteUnlock();
            }
        }

        /// <summary>Kernel: __kvm_gmem_invalidate_end (kept as the kernel has it).</summary>
        public static void kvm_gmem_invalidate_end(KvmGmem gmem, ulong start, ulong end)
        {
            if (gmem.BindingsIn(start, end).Count == 0)
            {
                return;
            }

            var kvm = gmem.Kvm;
            kvm.MmuLock.WriteLock();
            kvm.MmuInvalidateEnd();
            kvm.MmuLock.WriteUnlock();
        }
    }
}
