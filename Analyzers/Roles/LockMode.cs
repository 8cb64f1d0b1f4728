namespace GfnGuard.Analyzers.Roles
{
    /// <summary>The mode mmu_lock is taken or dropped in (kernel: write_lock / read_lock of the rwlock).</summary>
    internal enum LockMode
    {
        /// <summary>Not told by the call's form (a helper, spin_lock, Monitor, an upgradeable read).</summary>
        Unknown,

        Read,

        Write,
    }
}
