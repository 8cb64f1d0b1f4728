using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// A guest_memfd file: private guest memory with no host virtual address. Pages are
    /// allocated on first fault (or fallocate), bound to memslots by offset, and freed by
    /// punch-hole or release after an invalidation that targets private mappings only.
    /// Kernel: virt/kvm/guest_memfd.c (<c>struct kvm_gmem</c> and its inode's page cache).
    /// </summary>
    public sealed class KvmGmem
    {
        private readonly ConcurrentDictionary<ulong, long> _pages = new ConcurrentDictionary<ulong, long>();

        // Pages fallocate allocated that no get_pfn has prepared yet (kernel: folios without the
        // uptodate flag, which kvm_gmem_get_pfn prepares on first use).
        private readonly ConcurrentDictionary<ulong, bool> _unprepared = new ConcurrentDictionary<ulong, bool>();
        private readonly List<KvmMemorySlot> _bindings = new List<KvmMemorySlot>();

        // Kernel: filemap_invalidate_lock: faults take it shared, punch-hole exclusive.
        private readonly OrderedReaderWriterLock _invalidateLock;
        private readonly KvmGmemOps _ops;
        private bool _released;

        [ThreadStatic]
        private static int t_invalidationDepth;

        internal KvmGmem(Kvm kvm, ulong size, KvmGmemOps? ops)
        {
            if (size == 0 || size % KvmMemorySlot.PageSize != 0)
            {
                throw new ArgumentException("guest_memfd size must be a non-zero multiple of the page size.", nameof(size));
            }

            Kvm = kvm;
            Size = size;
            _invalidateLock = new OrderedReaderWriterLock(LockClass.GmemInvalidateLock, kvm.Lockdep);
            _ops = ops ?? KvmGmemOps.Kernel;
        }

        /// <summary>Test hook: runs in a punch-hole between its invalidate_begin and invalidate_end.</summary>
        internal Action? BetweenInvalidateBeginAndEnd;

        /// <summary>True while the current thread runs a guest_memfd invalidation (every range it passes must be private-only).</summary>
        internal static bool InInvalidation => t_invalidationDepth > 0;

        public Kvm Kvm { get; }

        /// <summary>File size in bytes (fixed at creation, as KVM_CREATE_GUEST_MEMFD makes it).</summary>
        public ulong Size { get; }

        public ulong PageCount => Size / KvmMemorySlot.PageSize;

        /// <summary>Pages currently allocated in the file.</summary>
        public int AllocatedPages => _pages.Count;

        /// <summary>The page at file index <paramref name="index"/> (in pages), or -1 when none is allocated.</summary>
        internal long PfnAt(ulong index) => _pages.TryGetValue(index, out var pfn) ? pfn : -1;

        /// <summary>Kernel: kvm_gmem_get_pfn: the page behind a gfn of a bound slot, allocated (and prepared) on first use.</summary>
        internal long GetPfn(KvmMemorySlot slot, ulong gfn)
        {
            var index = slot.GmemOffset + (gfn - slot.BaseGfn);
            _invalidateLock.EnterReadLock();
            try
            {
                if (_released)
                {
                    return -1;
                }

                if (_pages.TryGetValue(index, out var pfn) && !_unprepared.ContainsKey(index))
                {
                    return pfn;
                }

                lock (_pages)
                {
                    if (_pages.TryGetValue(index, out pfn))
                    {
                        // Kernel: kvm_gmem_get_pfn prepares every folio it hands out that is not yet
                        // prepared, however it was allocated (fault or fallocate).
                        if (_unprepared.TryRemove(index, out _))
                        {
                            KvmArch.GmemPrepare(Kvm, pfn, gfn);
                        }

                        return pfn;
                    }

                    pfn = Kvm.Machine.Memory.Allocate(PageOwner.GuestMemfd);
                    KvmArch.GmemPrepare(Kvm, pfn, gfn);
                    _pages[index] = pfn;
                    return pfn;
                }
            }
            finally
            {
                _invalidateLock.ExitReadLock();
            }
        }

        /// <summary>Kernel: kvm_gmem_allocate (fallocate mode 0): allocates the pages of [offset, offset + length). Units: offset and length in bytes into the file, page aligned.</summary>
        public void Allocate(ulong offset, ulong length)
        {
            var (start, end) = PageRange(offset, length);
            _invalidateLock.EnterReadLock();
            try
            {
                lock (_pages)
                {
                    for (var index = start; index < end; index++)
                    {
                        if (!_pages.ContainsKey(index))
                        {
                            // Not prepared here: fallocate knows no gfn; the first get_pfn prepares it.
                            _pages[index] = Kvm.Machine.Memory.Allocate(PageOwner.GuestMemfd);
                            _unprepared[index] = true;
                        }
                    }
                }
            }
            finally
            {
                _invalidateLock.ExitReadLock();
            }
        }

        /// <summary>
        /// Kernel: kvm_gmem_punch_hole (FALLOC_FL_PUNCH_HOLE): zap the private mappings of every
        /// bound slot with an invalidation open, free the pages (with the VM type's reclaim
        /// obligations), then close the invalidation.
        /// Units: offset and length in bytes into the file, page aligned.
        /// </summary>
        public void PunchHole(ulong offset, ulong length)
        {
            var (start, end) = PageRange(offset, length);
            _invalidateLock.EnterWriteLock();
            try
            {
                try
                {
                    Invalidate(_ops.InvalidateBegin, start, end);
                    BetweenInvalidateBeginAndEnd?.Invoke();
                    Truncate(start, end);
                }
                finally
                {
                    // invalidate_end closes what begin opened, even when a violation unwinds begin.
                    Invalidate(_ops.InvalidateEnd, start, end);
                }
            }
            finally
            {
                _invalidateLock.ExitWriteLock();
            }
        }

        /// <summary>
        /// Kernel: kvm_gmem_release (the file's last close). Under slots_lock and the invalidate
        /// lock, as the kernel takes them, the bindings are cut and every SPTE pointing at the file
        /// is zapped inside an invalidation. The backing memory is not freed: its lifetime is the
        /// inode's, not the file's (the kernel's comment); <see cref="Evict"/> frees it.
        /// </summary>
        public void Release()
        {
            using (LockOrder.EnterSlotsLock(Kvm))
            {
                _invalidateLock.EnterWriteLock();
                try
                {
                    try
                    {
                        Invalidate(_ops.InvalidateBegin, 0, ulong.MaxValue);
                    }
                    finally
                    {
                        Invalidate(_ops.InvalidateEnd, 0, ulong.MaxValue);
                    }

                    lock (_bindings)
                    {
                        _bindings.Clear();
                    }

                    _released = true;
                }
                finally
                {
                    _invalidateLock.ExitWriteLock();
                }
            }
        }

        /// <summary>
        /// Kernel: the inode's eviction (kvm_gmem_evict_inode, truncate_inode_pages_final) once its
        /// last reference is gone: frees every page, with the VM type's reclaim obligations.
        /// </summary>
        public void Evict()
        {
            _invalidateLock.EnterWriteLock();
            try
            {
                Truncate(0, ulong.MaxValue);
            }
            finally
            {
                _invalidateLock.ExitWriteLock();
            }
        }

        /// <summary>
        /// Kernel: kvm_gmem_bind: the slot's pages must fit in the file and not overlap another
        /// binding. Under the file's invalidate lock (filemap_invalidate_lock), as the kernel
        /// binds: a punch-hole holds it from invalidate_begin to invalidate_end, so both see
        /// the same bindings and every begin has its end.
        /// </summary>
        internal void Bind(KvmMemorySlot slot)
        {
            if (slot.GmemOffset + slot.PageCount > PageCount)
            {
                throw new ArgumentException("The memslot does not fit in the guest_memfd file.", nameof(slot));
            }

            _invalidateLock.EnterWriteLock();
            try
            {
                lock (_bindings)
                {
                    foreach (var bound in _bindings)
                    {
                        if (slot.GmemOffset < bound.GmemOffset + bound.PageCount && bound.GmemOffset < slot.GmemOffset + slot.PageCount)
                        {
                            throw new InvalidOperationException("The guest_memfd range is already bound to another memslot (EEXIST).");
                        }
                    }

                    _bindings.Add(slot);
                }
            }
            finally
            {
                _invalidateLock.ExitWriteLock();
            }
        }

        /// <summary>Kernel: kvm_gmem_unbind, under the invalidate lock as <see cref="Bind"/>.</summary>
        internal void Unbind(KvmMemorySlot slot)
        {
            _invalidateLock.EnterWriteLock();
            try
            {
                lock (_bindings)
                {
                    _bindings.Remove(slot);
                }
            }
            finally
            {
                _invalidateLock.ExitWriteLock();
            }
        }

        /// <summary>Runs one half of the invalidation with the thread marked as inside guest_memfd's invalidation.</summary>
        private void Invalidate(KvmGmemInvalidate callback, ulong start, ulong end)
        {
            t_invalidationDepth++;
            var completed = false;
            try
            {
                callback(this, start, end);
                completed = true;
            }
            finally
            {
                t_invalidationDepth--;

                // The port's code may hold mmu_lock: reported if it returned so, dropped if a
                // violation unwound it, so invalidate_end (and every later fault) can run.
                Kvm.MmuLock.LeftPortCallback(completed, "a guest_memfd invalidation");
            }
        }

        /// <summary>Kernel: kvm_gmem_invalidate_begin: a private-only range per bound slot, mmu_lock taken on the first.</summary>
        [GmemPath]
        internal void KernelInvalidateBegin(ulong start, ulong end)
        {
            var kvm = Kvm;
            var flush = false;
            var foundMemslot = false;
            var completed = false;
            try
            {
                foreach (var slot in BindingsIn(start, end))
                {
                    var pgoff = slot.GmemOffset;
                    var gfnRange = new KvmGfnRange
                    {
                        Start = slot.BaseGfn + Math.Max(pgoff, start) - pgoff,
                        End = slot.BaseGfn + Math.Min(pgoff + slot.PageCount, end) - pgoff,
                        Slot = slot,
                        MayBlock = true,
                        OnlyPrivate = true,
                        OnlyShared = false,
                    };

                    if (!foundMemslot)
                    {
                        kvm.MmuLock.WriteLock();
                        foundMemslot = true;
                        kvm.MmuInvalidateBegin();
                    }

                    flush |= Kvm.MmuUnmapGfnRange(kvm, ref gfnRange);
                }

                if (flush)
                {
                    kvm.FlushRemoteTlbs();
                }

                completed = true;
            }
            finally
            {
                // A checked-mode violation unwinds through here without leaving mmu_lock held;
                // the invalidation it opened is closed by invalidate_end, which the caller runs.
                if (foundMemslot)
                {
                    kvm.WriteUnlockAfterWalk(completed);
                }
            }
        }

        /// <summary>Kernel: kvm_gmem_invalidate_end.</summary>
        internal void KernelInvalidateEnd(ulong start, ulong end)
        {
            if (BindingsIn(start, end).Count == 0)
            {
                return;
            }

            Kvm.MmuLock.WriteLock();
            Kvm.MmuInvalidateEnd();
            Kvm.MmuLock.WriteUnlock();
        }

        /// <summary>Kernel: truncate_inode_pages_range → kvm_gmem_free_folio → kvm_arch_gmem_invalidate.</summary>
        private void Truncate(ulong start, ulong end)
        {
            lock (_pages)
            {
                foreach (var pair in _pages)
                {
                    if (pair.Key >= start && pair.Key < end && _pages.TryRemove(pair.Key, out var pfn))
                    {
                        _unprepared.TryRemove(pair.Key, out _);
                        CountPrivateSptesLeftOn(pair.Key, pfn);
                        KvmArch.GmemInvalidate(Kvm, pfn);
                        Kvm.Machine.Memory.Free(pfn);
                    }
                }
            }
        }

        /// <summary>
        /// The consequence of an invalidation that did not target private mappings: a private
        /// SPTE still maps the page being freed, so the guest keeps reading and writing a frame
        /// the host hands to someone else. Kernel: nothing counts this; it is a use-after-free.
        /// </summary>
        private void CountPrivateSptesLeftOn(ulong index, long pfn)
        {
            foreach (var slot in BindingsIn(index, index + 1))
            {
                var spte = KvmMmu.ReadSpte(slot, slot.BaseGfn + index - slot.GmemOffset, privateSide: true);
                if (Spte.IsPresent(spte) && Spte.Pfn(spte) == pfn)
                {
                    Interlocked.Increment(ref Kvm.Stats.privateSptesLeftOnFreedPages);
                }
            }
        }

        /// <summary>
        /// The memslots bound to file pages [<paramref name="start"/>, <paramref name="end"/>).
        /// Kernel: xa_for_each_range(&amp;gmem->bindings, index, slot, start, end - 1).
        /// Units: start and end are page indexes into the file.
        /// </summary>
        public IReadOnlyList<KvmMemorySlot> BindingsIn(ulong start, ulong end)
        {
            var result = new List<KvmMemorySlot>();
            lock (_bindings)
            {
                foreach (var slot in _bindings)
                {
                    if (slot.GmemOffset < end && start < slot.GmemOffset + slot.PageCount)
                    {
                        result.Add(slot);
                    }
                }
            }

            return result;
        }

        private (ulong Start, ulong End) PageRange(ulong offset, ulong length)
        {
            if (offset % KvmMemorySlot.PageSize != 0 || length % KvmMemorySlot.PageSize != 0 || length == 0)
            {
                throw new ArgumentException("offset and length must be page aligned and length non-zero (EINVAL).");
            }

            if (offset + length > Size)
            {
                throw new ArgumentOutOfRangeException(nameof(length), "The range goes past the end of the file.");
            }

            return (offset / KvmMemorySlot.PageSize, (offset + length) / KvmMemorySlot.PageSize);
        }
    }
}
