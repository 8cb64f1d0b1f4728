using GfnGuard.Runtime;

namespace Demo
{
    /// <summary>What one <see cref="PressureRun"/> cost: the runtime's counters after the run.</summary>
    internal sealed record RunResult(
        KvmVmType VmType,
        string Port,
        long Faults,
        long ZappedSharedSptes,
        long ZappedPrivateSptes,
        long PrivateSptesZappedByHvaEvents,
        long TlbFlushes,
        long Wbinvds,
        long FlushCycles,
        double MmuLockHeldMs,
        long PrivateSptesLeftOnFreedPages,
        long GuestAccessesToFreedFrames,
        long StaleTlbEntriesAtUnlock,
        long ReturnsHoldingMmuLock,
        long ReclaimsUnderMmuLock,
        long HvaRangesNotSharedOnly,
        long GmemRangesNotPrivateOnly,
        long LockdepViolations,
        int LostWrites);
}
