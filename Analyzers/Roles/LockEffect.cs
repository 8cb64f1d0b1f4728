namespace GfnGuard.Analyzers.Roles
{
    /// <summary>What a call does to mmu_lock.</summary>
    internal enum LockEffect
    {
        None,

        /// <summary>Takes the lock (KVM_MMU_LOCK, write_lock(&amp;kvm->mmu_lock), Monitor.Enter, Enter*Lock, [AcquiresMmuLock], or a helper that always takes it).</summary>
        Acquire,

        /// <summary>Drops the lock.</summary>
        Release,

        /// <summary>lockdep_assert_held*(...mmu_lock): the lock is held from here.</summary>
        AssertHeld,

        /// <summary>A call on the lock that returns a disposable guard (<c>using (kvm.MmuLock.Write())</c>); its Dispose releases.</summary>
        GuardAcquire,
    }
}
