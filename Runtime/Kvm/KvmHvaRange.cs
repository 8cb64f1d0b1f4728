namespace GfnGuard.Runtime
{
    /// <summary>
    /// An HVA range and what to do with each memslot it touches.
    /// Kernel: <c>struct kvm_mmu_notifier_range</c> (formerly <c>kvm_hva_range</c>) in virt/kvm/kvm_main.c.
    /// </summary>
    public readonly struct KvmHvaRange
    {
        /// <summary>An HVA walk (__kvm_handle_hva_range) over HVA bytes [<paramref name="start"/>, <paramref name="end"/>).</summary>
        /// <param name="start">First byte address (page aligned).</param>
        /// <param name="end">One past the last byte address.</param>
        /// <param name="handler">Called per memslot with a shared-only gfn range, under mmu_lock unless <paramref name="lockless"/>.</param>
        /// <param name="onLock">Called once, when mmu_lock is first taken.</param>
        /// <param name="flushOnReturn">Flush remote TLBs before unlocking if a handler returned true.</param>
        /// <param name="mayBlock">The handlers may sleep.</param>
        /// <param name="arg">The event's argument.</param>
        /// <param name="lockless">Run the handlers without mmu_lock (aging).</param>
        public KvmHvaRange(ulong start, ulong end, KvmGfnRangeHandler? handler, KvmOnLock? onLock, bool flushOnReturn, bool mayBlock, KvmMmuNotifierArg arg = default, bool lockless = false)
        {
            Lockless = lockless;
            Start = start;
            End = end;
            Handler = handler;
            OnLock = onLock;
            FlushOnReturn = flushOnReturn;
            MayBlock = mayBlock;
            Arg = arg;
        }

        public ulong Start { get; }

        /// <summary>Exclusive.</summary>
        public ulong End { get; }

        /// <summary>Called per memslot; null only when <see cref="OnLock"/> is given.</summary>
        public KvmGfnRangeHandler? Handler { get; }

        public KvmOnLock? OnLock { get; }

        /// <summary>Flush remote TLBs before unlocking if a handler returned true.</summary>
        public bool FlushOnReturn { get; }

        public bool MayBlock { get; }

        public KvmMmuNotifierArg Arg { get; }

        /// <summary>
        /// The handler runs without mmu_lock (kernel: <c>range->lockless</c>, aging on x86's TDP MMU
        /// with CONFIG_KVM_MMU_LOCKLESS_AGING: accessed bits are cleared atomically). No on_lock then.
        /// </summary>
        public bool Lockless { get; }
    }

    /// <summary>What an HVA walk found. Kernel: <c>struct kvm_mmu_notifier_return</c>.</summary>
    public struct KvmMmuNotifierReturn
    {
        /// <summary>Some handler returned true.</summary>
        public bool Ret;

        /// <summary>A memslot intersected the range (and so mmu_lock was taken).</summary>
        public bool FoundMemslot;
    }
}
