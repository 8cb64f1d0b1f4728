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

        /// <summary>mmu_lock released by a thread that does not hold it.</summary>
        UnbalancedUnlock,

        /// <summary>A function that requires mmu_lock (lockdep_assert_held) ran without it.</summary>
        MmuLockNotHeld,

        /// <summary>SPTEs zapped with neither an open invalidation nor slots_lock.</summary>
        ZapOutsideInvalidation,

        /// <summary>kvm_mmu_invalidate_end without a begin, or range_add outside one.</summary>
        InvalidationImbalance,
    }
}
