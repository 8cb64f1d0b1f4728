using System;
using System.Diagnostics;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// kvm->mmu_lock: a reader/writer lock (x86's TDP MMU faults under the read side, zaps under
    /// the write side) that knows which thread holds it, checks its use like lockdep, and
    /// measures how long it is held.
    /// </summary>
    public sealed class KvmMmuLock
    {
        [ThreadStatic]
        private static long t_readSince;

        [ThreadStatic]
        private static long t_readCyclesSince;

        private readonly ReaderWriterLockSlim _lock = new ReaderWriterLockSlim(LockRecursionPolicy.NoRecursion);
        private readonly Lockdep _lockdep;
        private long _writeSince;
        private long _writeCyclesSince;
        private long _heldTicks;
        private long _heldFlushCycles;
        private long _acquisitions;

        internal KvmMmuLock(Lockdep lockdep)
        {
            _lockdep = lockdep;
        }

        /// <summary>Total time the lock was held, read or write, in <see cref="Stopwatch"/> ticks.</summary>
        public long HeldTicks => Interlocked.Read(ref _heldTicks);

        /// <summary>Total time held, in microseconds.</summary>
        public double HeldMicroseconds => HeldTicks * 1_000_000.0 / Stopwatch.Frequency;

        /// <summary>Modelled cycles of cache and TLB flushes done by holders while they held the lock.</summary>
        public long HeldFlushCycles => Interlocked.Read(ref _heldFlushCycles);

        /// <summary>
        /// Modelled time of the flushes done under the lock (a WBINVD is about 1 ms per CPU): the
        /// part of the hold time that the contracts are about, deterministic unlike <see cref="HeldTicks"/>.
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
            _lock.EnterWriteLock();
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
                _lockdep.Report(ContractViolation.UnbalancedUnlock, "write_unlock(mmu_lock) by a thread that does not hold it");
                return;
            }

            Interlocked.Add(ref _heldTicks, Stopwatch.GetTimestamp() - _writeSince);
            Interlocked.Add(ref _heldFlushCycles, Machine.CyclesOnThisThread - _writeCyclesSince);
            _lock.ExitWriteLock();
        }

        /// <summary>Kernel: read_lock(&amp;kvm->mmu_lock).</summary>
        [AcquiresMmuLock]
        public void ReadLock()
        {
            _lock.EnterReadLock();
            t_readSince = Stopwatch.GetTimestamp();
            t_readCyclesSince = Machine.CyclesOnThisThread;
            Interlocked.Increment(ref _acquisitions);
        }

        /// <summary>Kernel: read_unlock(&amp;kvm->mmu_lock).</summary>
        [ReleasesMmuLock]
        public void ReadUnlock()
        {
            if (!_lock.IsReadLockHeld)
            {
                _lockdep.Report(ContractViolation.UnbalancedUnlock, "read_unlock(mmu_lock) by a thread that does not hold it");
                return;
            }

            Interlocked.Add(ref _heldTicks, Stopwatch.GetTimestamp() - t_readSince);
            Interlocked.Add(ref _heldFlushCycles, Machine.CyclesOnThisThread - t_readCyclesSince);
            _lock.ExitReadLock();
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
