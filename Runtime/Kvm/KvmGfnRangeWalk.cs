namespace GfnGuard.Runtime
{
    /// <summary>
    /// A gfn range and what to do with each memslot it touches: the argument of
    /// kvm_handle_gfn_range. (The kernel reuses <c>struct kvm_mmu_notifier_range</c> for it;
    /// a type of its own keeps gfn-based walks apart from HVA-based ones.)
    /// </summary>
    public readonly struct KvmGfnRangeWalk
    {
        /// <summary>A gfn-based walk (kvm_handle_gfn_range) over gfns [<paramref name="start"/>, <paramref name="end"/>).</summary>
        /// <param name="start">First gfn.</param>
        /// <param name="end">One past the last gfn.</param>
        /// <param name="handler">Called per memslot with its part of the range, under mmu_lock.</param>
        /// <param name="onLock">Called once, when mmu_lock is first taken.</param>
        /// <param name="flushOnReturn">Flush remote TLBs before unlocking if a handler returned true.</param>
        /// <param name="mayBlock">The handlers may sleep.</param>
        /// <param name="arg">The event's argument.</param>
        public KvmGfnRangeWalk(ulong start, ulong end, KvmGfnRangeHandler? handler, KvmOnLock? onLock, bool flushOnReturn, bool mayBlock, KvmMmuNotifierArg arg = default)
        {
            Start = start;
            End = end;
            Handler = handler;
            OnLock = onLock;
            FlushOnReturn = flushOnReturn;
            MayBlock = mayBlock;
            Arg = arg;
        }

        public ulong Start { get; }

        public ulong End { get; }

        public KvmGfnRangeHandler? Handler { get; }

        public KvmOnLock? OnLock { get; }

        public bool FlushOnReturn { get; }

        public bool MayBlock { get; }

        public KvmMmuNotifierArg Arg { get; }
    }
}
