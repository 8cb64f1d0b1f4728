using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// kvm->srcu, reduced to what memslot updates need: readers (faults, notifier walks) mark
    /// themselves in one of two epochs; <see cref="Synchronize"/> flips the epoch and waits for
    /// the old one to drain, so a memslot snapshot unpublished before it is no longer in use.
    /// Kernel: srcu_read_lock / srcu_read_unlock / synchronize_srcu.
    /// </summary>
    internal sealed class Srcu
    {
        private readonly long[] _readers = new long[2];
        private readonly object _writerLock = new object();
        private int _epoch;

        internal int ReadLock()
        {
            var epoch = Volatile.Read(ref _epoch);
            Interlocked.Increment(ref _readers[epoch]);
            return epoch;
        }

        internal void ReadUnlock(int epoch) => Interlocked.Decrement(ref _readers[epoch]);

        /// <summary>Waits until every reader that may have seen the previous snapshot is gone.</summary>
        internal void Synchronize()
        {
            lock (_writerLock)
            {
                var old = _epoch;
                Volatile.Write(ref _epoch, 1 - old);
                var spin = default(SpinWait);
                while (Interlocked.Read(ref _readers[old]) != 0)
                {
                    spin.SpinOnce();
                }
            }
        }
    }
}
