namespace GfnGuard.Runtime
{
    /// <summary>Why the host is changing its address space (include/linux/mmu_notifier.h, enum mmu_notifier_event).</summary>
    public enum MmuNotifierEvent
    {
        /// <summary>MMU_NOTIFY_UNMAP: munmap.</summary>
        Unmap,

        /// <summary>MMU_NOTIFY_CLEAR: madvise(MADV_DONTNEED), swap-out, KSM merge.</summary>
        Clear,

        /// <summary>MMU_NOTIFY_PROTECTION_VMA: mprotect.</summary>
        ProtectionVma,

        /// <summary>MMU_NOTIFY_MIGRATE: page migration.</summary>
        Migrate,

        /// <summary>MMU_NOTIFY_RELEASE: the mm is going away.</summary>
        Release,
    }
}
