namespace GfnGuard.Runtime
{
    /// <summary>
    /// A secondary MMU that mirrors an address space and must hear of its changes.
    /// Kernel: <c>struct mmu_notifier_ops</c>.
    /// </summary>
    public interface IMmuNotifier
    {
        void InvalidateRangeStart(in MmuNotifierRange range);

        void InvalidateRangeEnd(in MmuNotifierRange range);

        /// <summary>Clears accessed bits and flushes; returns true if any page was young.</summary>
        bool ClearFlushYoung(ulong start, ulong end);

        /// <summary>Clears accessed bits without a flush.</summary>
        bool ClearYoung(ulong start, ulong end);

        bool TestYoung(ulong start, ulong end);

        void Release();
    }
}
