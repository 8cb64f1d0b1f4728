using System;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What an analysis follows besides booleans, struct copies and captures. A rule follows
    /// only what it reads: every fact followed is more work per operation, and facts with
    /// different true-sites keep paths apart that would otherwise merge.
    /// </summary>
    [Flags]
    internal enum FlowFacts
    {
        /// <summary>Gfn range flags: stores, constructors, helper summaries (KVM0001, KVM0002).</summary>
        Flags = 1,

        /// <summary>mmu_lock: lock calls, guards, lock locals and lock summaries of helpers (KVM0003).</summary>
        Lock = 2,

        /// <summary>Zap results that owe a TLB flush, and the flushes that settle them (KVM0006); needs <see cref="Lock"/>.</summary>
        Flush = 4,
    }
}
