namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A fact the analysis keeps about a place, beside the members it follows below it: a typed
    /// key, so no member name a port declares can collide with one (a member path is a string of
    /// the port's names; a fact never is).
    /// </summary>
    internal enum PlaceFact : byte
    {
        /// <summary>The place itself, or a member below it.</summary>
        None,

        /// <summary>The place holds kvm->mmu_lock itself (a capture or local of <c>kvm.mmu_lock</c>).</summary>
        IsLock,

        /// <summary>
        /// The mmu_lock of the object at the place (a VM) is held: each instance is its own lock
        /// (SPEC section 2). A lock whose owner the method cannot name (held on entry, taken by a
        /// helper) is kept at <see cref="OperationTransfer.LockLocation"/> instead.
        /// </summary>
        LockHeld,

        /// <summary>The place holds a lock guard returned by a call on the lock, released by its Dispose.</summary>
        Guard,

        /// <summary>The place is known not to be null (a guard a <c>using</c> tests before disposing it).</summary>
        NonNull,

        /// <summary>
        /// The place holds a try-lock's outcome (its result, or its <c>ref bool</c>): where it is
        /// true, the lock is held; the value is where it was tried, for the message.
        /// </summary>
        TryLockTaken,

        /// <summary>The range's only_private flag, however the port spells it.</summary>
        OnlyPrivate,

        /// <summary>The range's only_shared flag, however the port spells it.</summary>
        OnlyShared,

        /// <summary>
        /// The bool at the place holds a zap's "flush needed" (<c>flush |= kvm_unmap_gfn_range(...)</c>)
        /// and no TLB flush has run since: where the bool may be true, a flush is owed before
        /// mmu_lock is released (KVM0006). The value's true-sites are the zaps.
        /// </summary>
        FlushOwed,

        /// <summary>
        /// At a zap call's own place (a result nothing keeps: <c>kvm_unmap_gfn_range(kvm, ref range);</c>),
        /// whether a call that may flush the TLBs has run on this path since the zap (KVM0006).
        /// </summary>
        FlushMayHaveRun,

        /// <summary>
        /// A mark (always true) that the bool at the place guards a lock call: a branch on it
        /// leads straight to taking or dropping mmu_lock (<c>if (!range->lockless) KVM_MMU_LOCK(kvm);</c>).
        /// Paths are kept apart by such a bool's value as by the lock's (see <see cref="FlowState.SamePropertiesAs"/>).
        /// </summary>
        LockGuard,

        /// <summary>
        /// A mark (always true) that this path dropped the lock of the VM at the place while the
        /// method had not touched it: its caller's, held on entry (tdp_mmu_iter_cond_resched's
        /// unlock, cond_resched, lock). Holding that lock again at a return gives the caller back
        /// what it had, and retaking it is no acquisition of this method's (KVM0007).
        /// </summary>
        CallersLockDropped,

        /// <summary>
        /// A mark (always true) that this path upgraded the VM's lock: ReaderWriterLockSlim's
        /// EnterWriteLock while it holds EnterUpgradeableReadLock. Its ExitWriteLock downgrades,
        /// and the upgradeable read lock is still held (KVM0007).
        /// </summary>
        Upgraded,
    }
}
