using System;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// kvm->srcu, reduced to what memslot updates need: readers (faults, notifier walks) count
    /// themselves in one of two epochs; <see cref="Synchronize"/> waits until every reader that
    /// may have seen the previous snapshot is gone. Kernel: srcu_read_lock / srcu_read_unlock /
    /// synchronize_srcu (kernel/rcu/srcutree.c).
    /// </summary>
    /// <remarks>
    /// A reader reads the epoch and then counts itself in it, and may be preempted in between:
    /// it then counts itself in an epoch the writer has already flipped away from and checked.
    /// One flip and one wait would miss it, and the next synchronize, which waits only for the
    /// epoch it flips away from, would miss it again while it still uses an old snapshot. So a
    /// synchronize first waits for the epoch that is not current (stragglers of the last flip),
    /// then flips, then waits for the epoch it left, as the kernel's __synchronize_srcu does
    /// around srcu_flip.
    /// </remarks>
    internal sealed class Srcu
    {
        private readonly long[] _readers = new long[2];
        private readonly object _writerLock = new object();
        private int _epoch;

        /// <summary>The VM's lockdep, for the order checks of read sections and synchronize.</summary>
        internal Lockdep? Lockdep;

        /// <summary>Test hook: runs in a reader between reading the epoch and counting itself in it (the window above).</summary>
        internal Action? AfterReadingTheEpoch;

        internal int ReadLock()
        {
            var epoch = Volatile.Read(ref _epoch);
            AfterReadingTheEpoch?.Invoke();
            Interlocked.Increment(ref _readers[epoch]);
            LockOrder.Acquire(LockClass.SrcuRead, Lockdep);
            return epoch;
        }

        internal void ReadUnlock(int epoch)
        {
            LockOrder.Release(LockClass.SrcuRead);
            Interlocked.Decrement(ref _readers[epoch]);
        }

        /// <summary>Readers inside a read section now (for the checks that nothing is left open).</summary>
        internal long ActiveReaders => Interlocked.Read(ref _readers[0]) + Interlocked.Read(ref _readers[1]);

        /// <summary>Waits until every reader that may have seen the previous snapshot is gone.</summary>
        internal void Synchronize()
        {
            LockOrder.Synchronizing(Lockdep);
            lock (_writerLock)
            {
                var current = Volatile.Read(ref _epoch);
                WaitForReaders(1 - current);
                Volatile.Write(ref _epoch, 1 - current);
                Interlocked.MemoryBarrier();
                WaitForReaders(current);
            }
        }

        private void WaitForReaders(int epoch)
        {
            var spin = default(SpinWait);
            while (Interlocked.Read(ref _readers[epoch]) != 0)
            {
                spin.SpinOnce();
            }
        }
    }
}
