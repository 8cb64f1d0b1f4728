namespace GfnGuard.Analyzers.Roles
{
    /// <summary>What a call does to mmu_lock.</summary>
    internal enum LockEffect
    {
        None,

        /// <summary>Takes the lock (KVM_MMU_LOCK, write_lock(&amp;kvm->mmu_lock), Monitor.Enter, Enter*Lock, [AcquiresMmuLock], or a helper that always takes it).</summary>
        Acquire,

        /// <summary>
        /// Takes the lock only where it returns true (Monitor.TryEnter, TryEnter*Lock,
        /// spin_trylock / write_trylock / read_trylock), or where its <c>ref bool</c> comes back true.
        /// </summary>
        TryAcquire,

        /// <summary>Drops the lock.</summary>
        Release,

        /// <summary>lockdep_assert_held*(...mmu_lock): the lock is held from here.</summary>
        AssertHeld,

        /// <summary>A call on the lock that returns a disposable guard (<c>using (kvm.MmuLock.Write())</c>); its Dispose releases.</summary>
        GuardAcquire,
    }
}
