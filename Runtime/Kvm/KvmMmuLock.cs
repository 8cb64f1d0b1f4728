using System;
using System.Diagnostics;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// kvm->mmu_lock: a reader/writer lock (x86's TDP MMU faults under the read side, zaps under
    /// the write side) that knows which thread holds it, checks its use like lockdep, and
    /// measures how long writers hold it.
    /// </summary>
    public sealed class KvmMmuLock
    {
        private const long OneZapRunning = 1;
        private const long OneZapGeneration = 1L << 32;

        [ThreadStatic]
        private static long t_readCyclesSince;

        private readonly ReaderWriterLockSlim _lock = new ReaderWriterLockSlim(LockRecursionPolicy.NoRecursion);
        private readonly Lockdep _lockdep;
        private readonly Kvm? _kvm;
        private long _writeSince;
        // One word, so that a reader sees both halves at the same instant: the high 32 bits count
        // the zaps that removed SPTEs (the zap generation), the low 32 bits the zaps running now.
        // Two fields would tear: a vCPU could read the generation before a zap ends and the
        // running count after, and see no window around an SPTE that zap had just removed.
        private long _zapState;
        // How much of the zap generation a completed kvm_flush_remote_tlbs covers: a flush covers
        // only the zaps done before it started (a lockless aging flush that was already under way
        // does not settle a zap made meanwhile).
        private long _flushedGeneration;
        private long _writeCyclesSince;
        private long _writeHeldTicks;
        private long _heldFlushCycles;
        private long _acquisitions;

        internal KvmMmuLock(Lockdep lockdep, Kvm? kvm = null)
        {
            _lockdep = lockdep;
            _kvm = kvm;
        }

        /// <summary>A zap is about to remove SPTEs: until it ends, a TLB entry that outlives its SPTE is the zap's own window.</summary>
        internal void ZapStarting() => Interlocked.Add(ref _zapState, OneZapRunning);

        /// <summary>The zap ended; if it removed SPTEs, a remote TLB flush is owed before the release.</summary>
        internal void ZapEnded(long zapped) =>
            Interlocked.Add(ref _zapState, zapped > 0 ? OneZapGeneration - OneZapRunning : -OneZapRunning);

        /// <summary>
        /// A zap is running or its flush is still owed: a stale TLB entry is then the kernel's normal
        /// window (other CPUs may use it until the flush, which comes before the unlock), not a bug.
        /// </summary>
        internal bool InZapWindow
        {
            get
            {
                var state = Interlocked.Read(ref _zapState);
                return (state & (OneZapGeneration - 1)) != 0 || (state >> 32) > Interlocked.Read(ref _flushedGeneration);
            }
        }

        /// <summary>Some zap removed SPTEs that no flush begun after it has covered yet.</summary>
        private bool FlushPending => ZapGeneration > Interlocked.Read(ref _flushedGeneration);

        /// <summary>What a flush starting now will cover: pass it to <see cref="NoteTlbsFlushed"/> when the flush is done.</summary>
        internal long ZapGeneration => Interlocked.Read(ref _zapState) >> 32;

        /// <summary>Nothing is owed any more, without a flush (an unlock that reported it, an unwind).</summary>
        private void GiveUpPendingFlush() => NoteTlbsFlushed(ZapGeneration);

        /// <summary>kvm_flush_remote_tlbs ran: nothing is owed.</summary>
        internal void NoteTlbsFlushed(long coveredGeneration)
        {
            var seen = Interlocked.Read(ref _flushedGeneration);
            while (seen < coveredGeneration)
            {
                var previous = Interlocked.CompareExchange(ref _flushedGeneration, coveredGeneration, seen);
                if (previous == seen)
                {
                    return;
                }

                seen = previous;
            }
        }

        /// <summary>
        /// Total time the lock was held for write, in <see cref="Stopwatch"/> ticks: the time faults
        /// waited behind zaps. Read holds (faults) are not timed: two clock reads cost a quarter of
        /// a fault (196 against 150 ns a fault, docs/performance.md).
        /// </summary>
        public long WriteHeldTicks => Interlocked.Read(ref _writeHeldTicks);

        /// <summary>Total time held for write, in microseconds.</summary>
        public double WriteHeldMicroseconds => WriteHeldTicks * 1_000_000.0 / Stopwatch.Frequency;

        /// <summary>Modelled cycles of cache and TLB flushes done by holders while they held the lock.</summary>
        public long HeldFlushCycles => Interlocked.Read(ref _heldFlushCycles);

        /// <summary>
        /// Modelled time of the flushes done under the lock (a WBINVD is about 1 ms per CPU): the
        /// part of the hold time that the contracts are about, deterministic unlike <see cref="WriteHeldTicks"/>.
        /// </summary>
        public double HeldFlushMilliseconds => HeldFlushCycles * 1_000.0 / CostModel.CyclesPerSecond;

        public long Acquisitions => Interlocked.Read(ref _acquisitions);

        /// <summary>True when the current thread holds the lock in either mode.</summary>
        public bool IsHeld => _lock.IsReadLockHeld || _lock.IsWriteLockHeld;

        public bool IsWriteHeld => _lock.IsWriteLockHeld;

        /// <summary>Kernel: write_lock(&amp;kvm->mmu_lock) (KVM_MMU_LOCK on x86).</summary>
        [AcquiresMmuLock]
        public void WriteLock()
        {
            if (IsHeld)
            {
                // The kernel spins forever here; the model reports it and keeps the lock it holds.
                _lockdep.Report(ContractViolation.RecursiveLock, "write_lock(mmu_lock) by a thread that already holds it");
                return;
            }

            LockOrder.Acquire(LockClass.MmuLock, _lockdep);
            _lock.EnterWriteLock();
            _kvm?.Machine.Trace?.Begin("mmu_lock (write)", _kvm.Id);
            _writeSince = Stopwatch.GetTimestamp();
            _writeCyclesSince = Machine.CyclesOnThisThread;
            Interlocked.Increment(ref _acquisitions);
        }

        /// <summary>Kernel: write_unlock(&amp;kvm->mmu_lock).</summary>
        [ReleasesMmuLock]
        public void WriteUnlock()
        {
            if (!_lock.IsWriteLockHeld)
            {
                if (_lock.IsReadLockHeld)
                {
                    // Counts as released (as the analyzers do): drop the mode that is held.
                    ReleaseRead();
                    _lockdep.Report(ContractViolation.WrongModeUnlock, "write_unlock(mmu_lock) of a lock held for read");
                    return;
                }

                _lockdep.Report(ContractViolation.UnbalancedUnlock, "write_unlock(mmu_lock) by a thread that does not hold it");
                return;
            }

            if (FlushPending)
            {
                // Other vCPUs' TLBs still map what was zapped: count what they can reach once the lock drops.
                if (_kvm is not null)
                {
                    Interlocked.Add(ref _kvm.Stats.staleTlbEntriesAtUnlock, _kvm.Machine.CountStaleTlbEntries(_kvm));
                }

                GiveUpPendingFlush();

                ReleaseWrite();
                _lockdep.Report(ContractViolation.UnlockWithFlushPending, "write_unlock(mmu_lock) with a zap's TLB flush still pending");
                return;
            }

            ReleaseWrite();
        }

        private void ReleaseWrite()
        {
            _kvm?.Machine.Trace?.End("mmu_lock (write)", _kvm.Id);
            Interlocked.Add(ref _writeHeldTicks, Stopwatch.GetTimestamp() - _writeSince);
            Interlocked.Add(ref _heldFlushCycles, Machine.CyclesOnThisThread - _writeCyclesSince);
            _lock.ExitWriteLock();
            LockOrder.Release(LockClass.MmuLock);
        }

        /// <summary>Kernel: read_lock(&amp;kvm->mmu_lock).</summary>
        [AcquiresMmuLock]
        public void ReadLock()
        {
            if (IsHeld)
            {
                _lockdep.Report(ContractViolation.RecursiveLock, "read_lock(mmu_lock) by a thread that already holds it");
                return;
            }

            LockOrder.Acquire(LockClass.MmuLock, _lockdep);
            _lock.EnterReadLock();
            _kvm?.Machine.Trace?.Begin("mmu_lock (read)", _kvm.Id);
            t_readCyclesSince = Machine.CyclesOnThisThread;
            Interlocked.Increment(ref _acquisitions);
        }

        /// <summary>Kernel: read_unlock(&amp;kvm->mmu_lock).</summary>
        [ReleasesMmuLock]
        public void ReadUnlock()
        {
            if (!_lock.IsReadLockHeld)
            {
                if (_lock.IsWriteLockHeld)
                {
                    ReleaseWrite();
                    _lockdep.Report(ContractViolation.WrongModeUnlock, "read_unlock(mmu_lock) of a lock held for write");
                    return;
                }

                _lockdep.Report(ContractViolation.UnbalancedUnlock, "read_unlock(mmu_lock) by a thread that does not hold it");
                return;
            }

            ReleaseRead();
        }

        private void ReleaseRead()
        {
            _kvm?.Machine.Trace?.End("mmu_lock (read)", _kvm.Id);
            Interlocked.Add(ref _heldFlushCycles, Machine.CyclesOnThisThread - t_readCyclesSince);
            _lock.ExitReadLock();
            LockOrder.Release(LockClass.MmuLock);
        }

        /// <summary>
        /// The model's check where it calls a port's code: a callback must not return holding
        /// the lock. Reports it and, so a counting run can go on, releases it on the port's behalf.
        /// </summary>
        internal void AssertReleasedBy(string callback)
        {
            if (!IsHeld)
            {
                return;
            }

            DropOnUnwind();
            _lockdep.Report(ContractViolation.ReturnedHoldingMmuLock, callback + " returned holding mmu_lock");
        }

        /// <summary>
        /// Where the model's call of a port's callback ends: one that returned must not hold the lock
        /// (<see cref="AssertReleasedBy"/>); one a violation unwound has whatever it holds dropped (<see cref="DropOnUnwind"/>).
        /// </summary>
        internal void LeftPortCallback(bool completed, string callback)
        {
            if (completed)
            {
                AssertReleasedBy(callback);
            }
            else
            {
                DropOnUnwind();
            }
        }

        /// <summary>
        /// Where the model calls a port's code and a violation unwinds it: drop what the thread
        /// still holds, without another report (the exception is the report).
        /// </summary>
        internal void DropOnUnwind()
        {
            if (_lock.IsWriteLockHeld)
            {
                GiveUpPendingFlush();
                ReleaseWrite();
            }
            else if (_lock.IsReadLockHeld)
            {
                ReleaseRead();
            }
        }

        /// <summary>Kernel: lockdep_assert_held(&amp;kvm->mmu_lock).</summary>
        public void AssertHeld(string function)
        {
            if (!IsHeld)
            {
                _lockdep.Report(ContractViolation.MmuLockNotHeld, function + " requires mmu_lock");
            }
        }

        /// <summary>Kernel: lockdep_assert_held_write(&amp;kvm->mmu_lock).</summary>
        public void AssertHeldWrite(string function)
        {
            if (!IsWriteHeld)
            {
                _lockdep.Report(ContractViolation.MmuLockNotHeld, function + " requires mmu_lock held for write");
            }
        }
    }
}
