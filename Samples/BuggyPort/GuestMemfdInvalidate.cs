using GfnGuard.Runtime;

namespace BuggyPort
{
    /// <summary>
    /// A hand port of guest_memfd's invalidation (virt/kvm/guest_memfd.c, kvm_gmem_invalidate_begin)
    /// as it goes wrong: the author copied the HVA path's shared-only filter and then added the
    /// private-only one gmem needs, leaving a range that targets nothing.
    /// </summary>
    public static class GuestMemfdInvalidate
    {
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
    }
}
