using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>The lock classes whose order the model's lockdep checks (kernel: lockdep's lock classes).</summary>
    internal enum LockClass
    {
        /// <summary>kvm->slots_lock.</summary>
        SlotsLock,

        /// <summary>A guest_memfd file's filemap_invalidate_lock.</summary>
        GmemInvalidateLock,

        /// <summary>The VMM's mmap_lock.</summary>
        MmapLock,

        /// <summary>A kvm->srcu read-side critical section.</summary>
        SrcuRead,

        /// <summary>kvm->mmu_lock.</summary>
        MmuLock,
    }

    /// <summary>
    /// The order Documentation/virt/kvm/locking.rst gives, checked on every acquisition against
    /// what the thread already holds, so an inversion is reported the first time it happens,
    /// whether or not the run deadlocks (as lockdep does):
    /// <list type="bullet">
    /// <item>kvm->slots_lock, then a guest_memfd's invalidate lock (kvm_gmem_bind, kvm_gmem_release), then kvm->mmu_lock;</item>
    /// <item>mmap_lock outside kvm->mmu_lock (mmu_notifier callbacks run under it), and slots_lock
    /// never inside mmap_lock ("MMU notifiers must not take either kvm->slots_lock or kvm->slots_arch_lock");</item>
    /// <item>no slots_lock inside a kvm->srcu read section ("srcu_read_lock(&amp;kvm->srcu);
    /// mutex_lock(&amp;kvm->slots_lock);" is broken: synchronize_srcu runs under slots_lock), and no
    /// synchronize_srcu inside one. SRCU readers otherwise nest with anything (faults take mmap_lock
    /// and the invalidate lock inside one, notifiers open one inside mmap_lock).</item>
    /// </list>
    /// Lock classes, not instances: slots_lock of one VM inside mmu_lock of another is an inversion too.
    /// </summary>
    internal static class LockOrder
    {
        private const int Classes = 5;

        // What the thread holds, per class: a count (locks nest) and the mask of classes held,
        // so the check on the fault path is one AND; the lockdep of each class's latest holder
        // is kept for the report.
        [System.ThreadStatic]
        private static int[]? t_counts;

        [System.ThreadStatic]
        private static Lockdep?[]? t_lockdeps;

        [System.ThreadStatic]
        private static int t_held;

        // For each class, the classes that must not be held when it is taken.
        private static readonly int[] ForbiddenOuter = BuildForbiddenOuter();

        /// <summary>The thread takes a lock of <paramref name="lockClass"/>: report any inversion, then record it.</summary>
        internal static void Acquire(LockClass lockClass, Lockdep? lockdep)
        {
            var index = (int)lockClass;
            var inverted = t_held & ForbiddenOuter[index];
            var counts = t_counts ??= new int[Classes];
            var lockdeps = t_lockdeps ??= new Lockdep?[Classes];
            counts[index]++;
            t_held |= 1 << index;
            var previous = lockdeps[index];
            lockdeps[index] = lockdep ?? previous;
            if (inverted != 0)
            {
                var outer = (LockClass)LowestBit(inverted);
                (lockdep ?? lockdeps[(int)outer])?.Report(ContractViolation.LockOrderInversion, $"{Name(lockClass)} taken while holding {Name(outer)} (Documentation/virt/kvm/locking.rst: {Name(lockClass)} is taken outside {Name(outer)})");
            }
        }

        /// <summary>The thread drops one lock of <paramref name="lockClass"/>.</summary>
        internal static void Release(LockClass lockClass)
        {
            var counts = t_counts;
            var index = (int)lockClass;
            if (counts is null || counts[index] == 0)
            {
                return;
            }

            if (--counts[index] == 0)
            {
                t_held &= ~(1 << index);
            }
        }

        /// <summary>synchronize_srcu: it waits for every reader, so a reader calling it waits for itself.</summary>
        internal static void Synchronizing(Lockdep? lockdep)
        {
            if ((t_held & (1 << (int)LockClass.SrcuRead)) != 0)
            {
                lockdep?.Report(ContractViolation.LockOrderInversion, "synchronize_srcu inside an SRCU read-side critical section (it waits for itself)");
            }
        }

        private static int[] BuildForbiddenOuter()
        {
            var table = new int[Classes];
            for (var inner = 0; inner < Classes; inner++)
            {
                for (var outer = 0; outer < Classes; outer++)
                {
                    if (Inverts((LockClass)outer, (LockClass)inner))
                    {
                        table[inner] |= 1 << outer;
                    }
                }
            }

            return table;
        }

        private static int LowestBit(int mask)
        {
            var bit = 0;
            while ((mask & (1 << bit)) == 0)
            {
                bit++;
            }

            return bit;
        }

        /// <summary>Is taking <paramref name="inner"/> while holding <paramref name="outer"/> against the documented order?</summary>
        private static bool Inverts(LockClass outer, LockClass inner) => (outer, inner) switch
        {
            (LockClass.MmuLock, LockClass.SlotsLock or LockClass.GmemInvalidateLock or LockClass.MmapLock) => true,
            (LockClass.GmemInvalidateLock, LockClass.SlotsLock) => true,
            (LockClass.MmapLock, LockClass.SlotsLock) => true,
            (LockClass.SrcuRead, LockClass.SlotsLock) => true,
            _ => false,
        };

        private static string Name(LockClass lockClass) => lockClass switch
        {
            LockClass.SlotsLock => "kvm->slots_lock",
            LockClass.GmemInvalidateLock => "the guest_memfd invalidate lock",
            LockClass.MmapLock => "mmap_lock",
            LockClass.SrcuRead => "kvm->srcu (read)",
            _ => "kvm->mmu_lock",
        };

        /// <summary>kvm->slots_lock taken and dropped with the order checked: <c>using (LockOrder.EnterSlotsLock(kvm)) { }</c>.</summary>
        internal static SlotsLockScope EnterSlotsLock(Kvm kvm)
        {
            Monitor.Enter(kvm.SlotsLock);
            Acquire(LockClass.SlotsLock, kvm.Lockdep);
            return new SlotsLockScope(kvm);
        }

        internal readonly struct SlotsLockScope : System.IDisposable
        {
            private readonly Kvm _kvm;

            internal SlotsLockScope(Kvm kvm) => _kvm = kvm;

            public void Dispose()
            {
                Release(LockClass.SlotsLock);
                Monitor.Exit(_kvm.SlotsLock);
            }
        }
    }

    /// <summary>A reader/writer lock whose acquisitions lockdep orders (<see cref="LockOrder"/>).</summary>
    internal sealed class OrderedReaderWriterLock
    {
        private readonly ReaderWriterLockSlim _lock = new ReaderWriterLockSlim(LockRecursionPolicy.NoRecursion);
        private readonly LockClass _class;
        private readonly Lockdep? _lockdep;

        internal OrderedReaderWriterLock(LockClass lockClass, Lockdep? lockdep)
        {
            _class = lockClass;
            _lockdep = lockdep;
        }

        internal void EnterWriteLock()
        {
            LockOrder.Acquire(_class, _lockdep);
            _lock.EnterWriteLock();
        }

        internal void ExitWriteLock()
        {
            _lock.ExitWriteLock();
            LockOrder.Release(_class);
        }

        internal void EnterReadLock()
        {
            LockOrder.Acquire(_class, _lockdep);
            _lock.EnterReadLock();
        }

        internal void ExitReadLock()
        {
            _lock.ExitReadLock();
            LockOrder.Release(_class);
        }

        internal bool IsWriteLockHeld => _lock.IsWriteLockHeld;

        internal bool IsReadLockHeld => _lock.IsReadLockHeld;
    }
}
