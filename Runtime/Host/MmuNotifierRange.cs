namespace GfnGuard.Runtime
{
    /// <summary>The range of an invalidation event. Kernel: <c>struct mmu_notifier_range</c>.</summary>
    public readonly struct MmuNotifierRange
    {
        /// <summary>An mmu_notifier event over HVA bytes [<paramref name="start"/>, <paramref name="end"/>) (kernel: struct mmu_notifier_range).</summary>
        public MmuNotifierRange(ulong start, ulong end, MmuNotifierEvent @event, bool blockable)
        {
            Start = start;
            End = end;
            Event = @event;
            Blockable = blockable;
        }

        public ulong Start { get; }

        /// <summary>Exclusive.</summary>
        public ulong End { get; }

        public MmuNotifierEvent Event { get; }

        /// <summary>Kernel: mmu_notifier_range_blockable().</summary>
        public bool Blockable { get; }
    }
}
