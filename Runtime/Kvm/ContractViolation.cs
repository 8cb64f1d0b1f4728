namespace GfnGuard.Runtime
{
    /// <summary>The contracts the model's lockdep-style checker watches at run time.</summary>
    public enum ContractViolation
    {
        /// <summary>kvm_arch_guest_memory_reclaimed() called with mmu_lock held (KVM0003).</summary>
        ReclaimUnderMmuLock,

        /// <summary>A handler touched mappings its range's filter excludes (e.g. private SPTEs on an HVA event).</summary>
        HandlerIgnoredFilter,

        /// <summary>An HVA-based path passed a range that is not shared-only (KVM0002).</summary>
        HvaRangeNotSharedOnly,

        /// <summary>A guest_memfd invalidation passed a range that is not private-only (KVM0005).</summary>
        GmemRangeNotPrivateOnly,

        /// <summary>mmu_lock released by a thread that does not hold it (KVM0007).</summary>
        UnbalancedUnlock,

        /// <summary>mmu_lock released in the other mode: read_unlock after write_lock, or the reverse (KVM0007).</summary>
        WrongModeUnlock,

        /// <summary>mmu_lock taken by a thread that already holds it: the kernel's rwlock is not recursive, a self-deadlock (KVM0007).</summary>
        RecursiveLock,

        /// <summary>A port's callback (an mmu_notifier op, a guest_memfd invalidation) returned holding mmu_lock (KVM0007).</summary>
        ReturnedHoldingMmuLock,

        /// <summary>mmu_lock released while a zap's TLB flush is still pending (KVM0006).</summary>
        UnlockWithFlushPending,

        /// <summary>A function that requires mmu_lock (lockdep_assert_held) ran without it.</summary>
        MmuLockNotHeld,

        /// <summary>A lock taken against the order of Documentation/virt/kvm/locking.rst (reported even when the run does not deadlock).</summary>
        LockOrderInversion,

        /// <summary>SPTEs zapped with neither an open invalidation nor slots_lock.</summary>
        ZapOutsideInvalidation,

        /// <summary>kvm_mmu_invalidate_end without a begin, or range_add outside one.</summary>
        InvalidationImbalance,
    }
}
