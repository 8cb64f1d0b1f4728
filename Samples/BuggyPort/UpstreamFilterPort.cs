namespace BuggyPort.Upstream
{
    /// <summary>
    /// A port of a current kernel, which carries upstream's attr_filter instead of the two bools
    /// (include/linux/kvm_host.h, enum kvm_gfn_range_filter), as it goes wrong twice.
    /// </summary>
    public enum kvm_gfn_range_filter
    {
        KVM_FILTER_SHARED = 1 << 0,
        KVM_FILTER_PRIVATE = 1 << 1,
    }

    public sealed class kvm_memory_slot
    {
        public ulong base_gfn;
        public ulong npages;
        public ulong gmem_pgoff;
    }

    public struct kvm_gfn_range
    {
        public kvm_memory_slot slot;
        public ulong start;
        public ulong end;
        public kvm_gfn_range_filter attr_filter;
        public bool may_block;
    }

#pragma warning disable CS8981 // The kernel's own lower-case name, as ports keep it.
    public sealed class kvm
#pragma warning restore CS8981
    {
        public long zapped;
    }

    public static class Mmu
    {
        /// <summary>kvm_unmap_gfn_range: zaps the SPTEs the filter targets; true when a TLB flush is needed.</summary>
        public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range)
        {
            var targets = (range.attr_filter & kvm_gfn_range_filter.KVM_FILTER_SHARED) != 0 ? 1 : 0;
            targets += (range.attr_filter & kvm_gfn_range_filter.KVM_FILTER_PRIVATE) != 0 ? 1 : 0;
            kvm.zapped += targets * (long)(range.end - range.start);
            return targets > 0;
        }
    }

    public static class GuestMemfd
    {
        /// <summary>
        /// kvm_gmem_invalidate_begin with the HVA path's filter copied in: KVM0005. The private
        /// SPTEs of the punched pages stay mapped while guest_memfd frees them.
        /// </summary>
        public static bool kvm_gmem_invalidate_begin(kvm kvm, kvm_memory_slot slot, ulong start, ulong end)
        {
            var gfn_range = new kvm_gfn_range
            {
                start = slot.base_gfn + start - slot.gmem_pgoff,
                end = slot.base_gfn + end - slot.gmem_pgoff,
                slot = slot,
                may_block = true,
                attr_filter = kvm_gfn_range_filter.KVM_FILTER_SHARED, // copied from __kvm_handle_hva_range
            };

            return Mmu.kvm_unmap_gfn_range(kvm, ref gfn_range);
        }
    }

    public static class Memslots
    {
        /// <summary>
        /// Zapping a memslot that is being deleted, ported from the two-bool series where "both
        /// flags false" meant both sides: in the filter form that is 0, and nothing is zapped (KVM0004).
        /// </summary>
        public static bool zap_deleted_memslot(kvm kvm, kvm_memory_slot slot)
        {
            var gfn_range = new kvm_gfn_range
            {
                start = slot.base_gfn,
                end = slot.base_gfn + slot.npages,
                slot = slot,
                may_block = true,
            };

            return Mmu.kvm_unmap_gfn_range(kvm, ref gfn_range);
        }
    }
}
