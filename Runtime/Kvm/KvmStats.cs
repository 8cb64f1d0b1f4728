using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>Per-VM counters: the numbers the samples print. Kernel: struct kvm_vm_stat and tracepoints.</summary>
    public sealed class KvmStats
    {
        internal long faults;
        internal long faultRetries;
        internal long memoryFaultExits;
        internal long zappedSharedSptes;
        internal long zappedPrivateSptes;
        internal long privateSptesZappedByHvaEvents;
        internal long privateSptesLeftOnFreedPages;
        internal long guestAccessesToFreedFrames;
        internal long staleTlbAccesses;
        internal long staleTlbEntriesAtUnlock;
        internal long invalidations;
        internal long reclaims;
        internal long agingChecks;

        /// <summary>Page faults that installed a mapping.</summary>
        public long Faults => Interlocked.Read(ref faults);

        /// <summary>Faults that found their snapshot stale under mmu_lock and started over.</summary>
        public long FaultRetries => Interlocked.Read(ref faultRetries);

        /// <summary>Faults that exited to userspace (KVM_EXIT_MEMORY_FAULT): private/shared mismatch.</summary>
        public long MemoryFaultExits => Interlocked.Read(ref memoryFaultExits);

        public long ZappedSharedSptes => Interlocked.Read(ref zappedSharedSptes);

        public long ZappedPrivateSptes => Interlocked.Read(ref zappedPrivateSptes);

        /// <summary>Private SPTEs zapped by an HVA-based event: must stay 0 (an HVA never reaches guest_memfd).</summary>
        public long PrivateSptesZappedByHvaEvents => Interlocked.Read(ref privateSptesZappedByHvaEvents);

        /// <summary>
        /// Private SPTEs still mapping a guest_memfd page when it was freed: must stay 0. Each is a
        /// use-after-free the guest can reach (a guest_memfd invalidation whose range was not private-only).
        /// </summary>
        public long PrivateSptesLeftOnFreedPages => Interlocked.Read(ref privateSptesLeftOnFreedPages);

        /// <summary>
        /// Guest reads and writes that reached a frame the host had already freed, through a stale
        /// SPTE or TLB entry: must stay 0. What such a read returns is whatever the frame last
        /// held (another owner's data once it is reused); such a write corrupts it.
        /// </summary>
        public long GuestAccessesToFreedFrames => Interlocked.Read(ref guestAccessesToFreedFrames);

        /// <summary>
        /// Guest accesses that went through a TLB entry whose SPTE had been zapped (no flush since):
        /// must stay 0. What KVM0006 protects: the page may be freed or reused by then.
        /// </summary>
        public long StaleTlbAccesses => Interlocked.Read(ref staleTlbAccesses);

        /// <summary>TLB entries still mapping zapped SPTEs when mmu_lock was released with a flush pending: must stay 0.</summary>
        public long StaleTlbEntriesAtUnlock => Interlocked.Read(ref staleTlbEntriesAtUnlock);

        /// <summary>kvm_mmu_invalidate_begin calls.</summary>
        public long Invalidations => Interlocked.Read(ref invalidations);

        /// <summary>kvm_arch_guest_memory_reclaimed calls.</summary>
        public long Reclaims => Interlocked.Read(ref reclaims);

        /// <summary>Aging queries (clear_young / test_young handler calls).</summary>
        public long AgingChecks => Interlocked.Read(ref agingChecks);
    }
}
