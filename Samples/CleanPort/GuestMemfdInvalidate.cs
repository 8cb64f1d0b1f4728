using GfnGuard.Runtime;

namespace CleanPort
{
    /// <summary>
    /// The invalidation half of virt/kvm/guest_memfd.c: punch-hole and release zap the private
    /// mappings of every memslot bound to the file, with an invalidation open, and never
    /// reclaim through kvm_arch_guest_memory_reclaimed (freed folios pay their own flush).
    /// </summary>
    public static class GuestMemfdInvalidate
    {
        /// <summary>The pair plugged into a VM's guest_memfd in place of the runtime's own.</summary>
        public static KvmGmemOps Ops { get; } = new KvmGmemOps(kvm_gmem_invalidate_begin, kvm_gmem_invalidate_end);

        /// <summary>Kernel: __kvm_gmem_invalidate_begin for file pages [start, end).</summary>
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
                    OnlyPrivate = true,
                    OnlyShared = false,
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

        /// <summary>Kernel: __kvm_gmem_invalidate_end.</summary>
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
