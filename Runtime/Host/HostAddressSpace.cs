using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The VMM's address space: regions of pages backed by host frames, changed by munmap,
    /// madvise(MADV_DONTNEED), migration, swap-out with aging, mprotect and KSM, each of which
    /// tells the registered secondary MMUs (KVM) through mmu_notifier events.
    /// Kernel: <c>struct mm_struct</c> with mm/mmap.c, mm/madvise.c, mm/migrate.c, mm/vmscan.c,
    /// mm/mprotect.c and mm/ksm.c reduced to what KVM sees.
    /// </summary>
    public sealed class HostAddressSpace
    {
        private const ulong MmapBase = 0x7f00_0000_0000UL;

        private readonly Machine _machine;
        private readonly OrderedReaderWriterLock _mmapLock = new OrderedReaderWriterLock(LockClass.MmapLock, lockdep: null);
        private readonly Dictionary<(ulong Vma, ulong Index), (ulong Content, ushort Key)> _swap = new Dictionary<(ulong, ulong), (ulong, ushort)>();
        private readonly Dictionary<long, int> _sharedFrames = new Dictionary<long, int>();
        private Vma[] _vmas = Array.Empty<Vma>();
        private IMmuNotifier[] _notifiers = Array.Empty<IMmuNotifier>();
        private ulong _nextAddress = MmapBase;
        private long _swappedOut;
        private long _migrated;
        private long _merged;

        /// <summary>An empty address space on <paramref name="machine"/>, with no VMA and no notifier.</summary>
        public HostAddressSpace(Machine machine)
        {
            _machine = machine ?? throw new ArgumentNullException(nameof(machine));
        }

        public long PagesSwappedOut => Interlocked.Read(ref _swappedOut);

        public long PagesMigrated => Interlocked.Read(ref _migrated);

        public long PagesMerged => Interlocked.Read(ref _merged);

        /// <summary>Kernel: mmu_notifier_register.</summary>
        public void RegisterNotifier(IMmuNotifier notifier)
        {
            lock (_swap)
            {
                var list = new List<IMmuNotifier>(_notifiers) { notifier };
                Volatile.Write(ref _notifiers, list.ToArray());
            }
        }

        /// <summary>Kernel: mmap(MAP_ANONYMOUS | MAP_PRIVATE [| MAP_POPULATE]). Returns the HVA. Units: length in bytes (a multiple of the page size); returns the mapping's first HVA (a byte address).</summary>
        public ulong Mmap(ulong length, bool writable = true, bool populate = false)
        {
            var pages = PagesOf(length);
            _mmapLock.EnterWriteLock();
            try
            {
                var vma = new Vma(_nextAddress, pages, writable);

                // A guard gap, and 2 MiB alignment as THP-friendly allocators do.
                _nextAddress = (vma.End + (2UL << 20) + ((2UL << 20) - 1)) & ~((2UL << 20) - 1);
                var list = new List<Vma>(_vmas) { vma };
                list.Sort((a, b) => a.Start.CompareTo(b.Start));
                Volatile.Write(ref _vmas, list.ToArray());
                if (populate)
                {
                    for (ulong i = 0; i < pages; i++)
                    {
                        vma.Pfns[i] = _machine.Memory.Allocate(PageOwner.HostProcess) + 1;
                    }
                }

                return vma.Start;
            }
            finally
            {
                _mmapLock.ExitWriteLock();
            }
        }

        /// <summary>Kernel: munmap. Units: hva and length in bytes.</summary>
        public void Munmap(ulong hva, ulong length) => Invalidate(hva, length, MmuNotifierEvent.Unmap, (vma, i) =>
        {
            DropFrame(vma, i);
            vma.State[i] = Vma.Unmapped;
        });

        /// <summary>Kernel: madvise(MADV_DONTNEED): frames dropped, the mapping stays (next touch gets a zero page). Units: hva and length in bytes.</summary>
        public void MadviseDontNeed(ulong hva, ulong length) => Invalidate(hva, length, MmuNotifierEvent.Clear, DropFrame);

        /// <summary>Kernel: mprotect. Removing write permission invalidates; the pages stay. Units: hva and length in bytes.</summary>
        public void Mprotect(ulong hva, ulong length, bool writable) => Invalidate(hva, length, MmuNotifierEvent.ProtectionVma, (vma, i) =>
        {
            if (vma.State[i] != Vma.Unmapped)
            {
                vma.State[i] = writable ? Vma.ReadWrite : Vma.ReadOnly;
            }
        });

        /// <summary>Kernel: migrate_pages for one page: a new frame with the same contents. Units: hva is a byte address in the page to move.</summary>
        public void MigratePage(ulong hva) => Invalidate(hva, KvmMemorySlot.PageSize, MmuNotifierEvent.Migrate, (vma, i) =>
        {
            var old = vma.PfnAt(i);
            if (old < 0 || vma.CopyOnWrite[i])
            {
                return;
            }

            var moved = _machine.Memory.Allocate(PageOwner.HostProcess);
            _machine.Memory.CopyPage(old, moved);
            vma.Pfns[i] = moved + 1;
            _machine.Memory.Free(old);
            Interlocked.Increment(ref _migrated);
        });

        /// <summary>
        /// Kernel: shrink_folio_list for a range: pages whose secondary-MMU accessed bit is set are
        /// kept (their bit cleared, a second chance); the rest are written to swap and freed.
        /// Returns the number of pages swapped out.
        /// Units: hva and length in bytes; returns the number of pages swapped out.
        /// </summary>
        public int SwapOut(ulong hva, ulong length)
        {
            var swapped = 0;
            var pages = PagesOf(length);
            for (ulong p = 0; p < pages; p++)
            {
                var pageHva = (hva & ~(KvmMemorySlot.PageSize - 1)) + (p * KvmMemorySlot.PageSize);
                if (!IsPresent(pageHva))
                {
                    continue;
                }

                // folio_referenced(): ask every secondary MMU whether the page was used lately.
                var young = false;
                foreach (var notifier in Volatile.Read(ref _notifiers))
                {
                    young |= notifier.ClearFlushYoung(pageHva, pageHva + KvmMemorySlot.PageSize);
                }

                if (young)
                {
                    continue;
                }

                Invalidate(pageHva, KvmMemorySlot.PageSize, MmuNotifierEvent.Clear, (vma, i) =>
                {
                    var pfn = vma.PfnAt(i);
                    if (pfn < 0 || vma.CopyOnWrite[i])
                    {
                        return;
                    }

                    // Swap keeps the raw bytes: an encrypted guest page stays ciphertext on disk.
                    _swap[(vma.Start, i)] = _machine.Memory.ReadRaw(pfn);
                    vma.Pfns[i] = 0;
                    _machine.Memory.Free(pfn);
                    swapped++;
                    Interlocked.Increment(ref _swappedOut);
                });
            }

            return swapped;
        }

        /// <summary>Kernel: clear_young / test_young over a range, as the idle-page tracker and MGLRU do. Units: hva and length in bytes.</summary>
        public bool TestAndClearYoung(ulong hva, ulong length)
        {
            var young = false;
            foreach (var notifier in Volatile.Read(ref _notifiers))
            {
                young |= notifier.ClearYoung(hva, hva + length);
            }

            return young;
        }

        /// <summary>Kernel: mmu_notifier_test_young over <paramref name="length"/> bytes from HVA <paramref name="hva"/>: true if any page was accessed since it was last aged; clears nothing.</summary>
        public bool TestYoung(ulong hva, ulong length)
        {
            var young = false;
            foreach (var notifier in Volatile.Read(ref _notifiers))
            {
                young |= notifier.TestYoung(hva, hva + length);
            }

            return young;
        }

        /// <summary>
        /// Kernel: KSM's try_to_merge_one_page: when two pages hold the same contents, the second
        /// is remapped to the first's frame, copy-on-write, and its own frame is freed.
        /// Units: Both are HVAs (byte addresses) of whole pages.
        /// </summary>
        public bool KsmMerge(ulong keepHva, ulong mergeHva)
        {
            var keep = Resolve(keepHva);
            var merge = Resolve(mergeHva);
            if (keep.Pfn < 0 || merge.Pfn < 0 || keep.Pfn == merge.Pfn
                || _machine.Memory.Read(keep.Pfn, 0) != _machine.Memory.Read(merge.Pfn, 0))
            {
                return false;
            }

            // Kernel (mm/ksm.c): write_protect_page on the page KSM keeps, under an mmu_notifier
            // invalidation, so no secondary MMU (KVM's SPTEs) can still write it; then the contents
            // are compared while both are stable, and only then replace_page maps the kept frame in
            // place of the merged one, under an invalidation of its own.
            Invalidate(keepHva, KvmMemorySlot.PageSize, MmuNotifierEvent.Clear, (vma, i) => vma.CopyOnWrite[i] = true);

            var merged = false;
            Invalidate(mergeHva, KvmMemorySlot.PageSize, MmuNotifierEvent.Clear, (vma, i) =>
            {
                var keepVma = FindVma(keepHva)!;
                var keepIndex = keepVma.IndexOf(keepHva);
                var keepPfn = keepVma.PfnAt(keepIndex);
                var mergePfn = vma.PfnAt(i);
                if (keepPfn < 0 || mergePfn < 0 || _machine.Memory.Read(keepPfn, 0) != _machine.Memory.Read(mergePfn, 0))
                {
                    return;
                }

                DropFrame(vma, i);
                vma.Pfns[i] = keepPfn + 1;
                vma.CopyOnWrite[i] = true;
                keepVma.CopyOnWrite[keepIndex] = true;
                _sharedFrames[keepPfn] = (_sharedFrames.TryGetValue(keepPfn, out var refs) ? refs : 1) + 1;
                merged = true;
                Interlocked.Increment(ref _merged);
            });

            return merged;
        }

        /// <summary>Kernel: exit_mmap → mmu_notifier_release, then every frame is freed.</summary>
        public void Release()
        {
            foreach (var notifier in Volatile.Read(ref _notifiers))
            {
                notifier.Release();
            }

            _mmapLock.EnterWriteLock();
            try
            {
                foreach (var vma in _vmas)
                {
                    for (ulong i = 0; i < vma.Pages; i++)
                    {
                        DropFrame(vma, i);
                    }
                }

                Volatile.Write(ref _vmas, Array.Empty<Vma>());
            }
            finally
            {
                _mmapLock.ExitWriteLock();
            }
        }

        /// <summary>
        /// Kernel: hva_to_pfn → get_user_pages: the frame behind <paramref name="hva"/>, faulted
        /// in (from swap if it was swapped out) when not present; a write breaks copy-on-write.
        /// Returns -1 when the address is not mapped or not writable (EFAULT).
        /// Units: hva is a byte address; returns the host page frame number, or -1.
        /// </summary>
        public long GetUserPage(ulong hva, bool write, out bool writable)
        {
            writable = false;
            _mmapLock.EnterReadLock();
            try
            {
                var vma = FindVma(hva);
                if (vma is null)
                {
                    return -1;
                }

                var index = vma.IndexOf(hva);
                var state = Volatile.Read(ref vma.State[index]);
                if (state == Vma.Unmapped || (write && state != Vma.ReadWrite))
                {
                    return -1;
                }

                var pfn = vma.PfnAt(index);
                var cow = Volatile.Read(ref vma.CopyOnWrite[index]);
                if (pfn >= 0 && !(write && cow))
                {
                    writable = state == Vma.ReadWrite && !cow;
                    return pfn;
                }
            }
            finally
            {
                _mmapLock.ExitReadLock();
            }

            return write ? BreakCopyOnWriteOrFaultIn(hva, out writable) : FaultIn(hva, out writable);
        }

        /// <summary>The VMM writes guest memory through its mapping (uncached, plaintext). Units: hva is a byte address; value one 64-bit word.</summary>
        public bool Write(ulong hva, ulong value)
        {
            var pfn = GetUserPage(hva, write: true, out _);
            return pfn >= 0 && _machine.HostWrite(pfn, value);
        }

        /// <summary>The VMM reads guest memory through its mapping. Units: hva is a byte address.</summary>
        public ulong? Read(ulong hva)
        {
            var pfn = GetUserPage(hva, write: false, out _);
            return pfn < 0 ? null : _machine.HostRead(pfn);
        }

        /// <summary>The frame currently mapped at <paramref name="hva"/>, or -1 (no fault-in). Units: hva is a byte address; returns the host page frame number, or -1.</summary>
        public long PfnOf(ulong hva) => Resolve(hva).Pfn;

        private long FaultIn(ulong hva, out bool writable)
        {
            writable = false;
            _mmapLock.EnterReadLock();
            try
            {
                var vma = FindVma(hva);
                if (vma is null)
                {
                    return -1;
                }

                var index = vma.IndexOf(hva);
                lock (vma.FaultLock)
                {
                    var state = vma.State[index];
                    if (state == Vma.Unmapped)
                    {
                        return -1;
                    }

                    var pfn = vma.PfnAt(index);
                    if (pfn < 0)
                    {
                        pfn = _machine.Memory.Allocate(PageOwner.HostProcess);
                        lock (_swap)
                        {
                            if (_swap.TryGetValue((vma.Start, index), out var saved))
                            {
                                _machine.Memory.Write(pfn, saved.Content, saved.Key);
                                _swap.Remove((vma.Start, index));
                            }
                        }

                        Volatile.Write(ref vma.Pfns[index], pfn + 1);
                    }

                    writable = state == Vma.ReadWrite && !vma.CopyOnWrite[index];
                    return pfn;
                }
            }
            finally
            {
                _mmapLock.ExitReadLock();
            }
        }

        private long BreakCopyOnWriteOrFaultIn(ulong hva, out bool writable)
        {
            var pfn = FaultIn(hva, out writable);
            if (pfn < 0 || writable)
            {
                return pfn;
            }

            // wp_page_copy(): the shared frame is copied for this mapping, an invalidation event.
            Invalidate(hva, KvmMemorySlot.PageSize, MmuNotifierEvent.Clear, (vma, i) =>
            {
                var shared = vma.PfnAt(i);
                if (!vma.CopyOnWrite[i] || shared < 0)
                {
                    return;
                }

                var copy = _machine.Memory.Allocate(PageOwner.HostProcess);
                _machine.Memory.CopyPage(shared, copy);
                DropFrame(vma, i);
                vma.Pfns[i] = copy + 1;
                vma.CopyOnWrite[i] = false;
            });

            return FaultIn(hva, out writable);
        }

        /// <summary>
        /// The shape of every change KVM must hear of: under the mmap write lock,
        /// invalidate_range_start, change the PTEs (and free frames), invalidate_range_end.
        /// </summary>
        private void Invalidate(ulong hva, ulong length, MmuNotifierEvent @event, Action<Vma, ulong> change)
        {
            var start = hva & ~(KvmMemorySlot.PageSize - 1);
            var end = start + (PagesOf(length + (hva - start)) * KvmMemorySlot.PageSize);
            var range = new MmuNotifierRange(start, end, @event, blockable: true);
            _mmapLock.EnterWriteLock();
            try
            {
                var notifiers = Volatile.Read(ref _notifiers);
                var started = 0;
                try
                {
                    foreach (var notifier in notifiers)
                    {
                        started++;
                        notifier.InvalidateRangeStart(range);
                    }

                    lock (_swap)
                    {
                        foreach (var vma in _vmas)
                        {
                            var first = Math.Max(start, vma.Start);
                            var last = Math.Min(end, vma.End);
                            for (var page = first; page < last; page += KvmMemorySlot.PageSize)
                            {
                                change(vma, vma.IndexOf(page));
                            }
                        }
                    }
                }
                finally
                {
                    // Every start has its end, even when a checked-mode violation unwinds the start
                    // (the kernel WARNs and carries on): no invalidation is left open.
                    for (var i = 0; i < started; i++)
                    {
                        notifiers[i].InvalidateRangeEnd(range);
                    }
                }
            }
            finally
            {
                _mmapLock.ExitWriteLock();
            }
        }

        private void DropFrame(Vma vma, ulong index)
        {
            var pfn = vma.PfnAt(index);
            if (pfn < 0)
            {
                return;
            }

            vma.Pfns[index] = 0;
            if (vma.CopyOnWrite[index])
            {
                vma.CopyOnWrite[index] = false;
                if (_sharedFrames.TryGetValue(pfn, out var refs) && refs > 1)
                {
                    if (refs == 2)
                    {
                        _sharedFrames.Remove(pfn);
                    }
                    else
                    {
                        _sharedFrames[pfn] = refs - 1;
                    }

                    return;
                }
            }

            _machine.Memory.Free(pfn);
        }

        private (Vma? Vma, long Pfn) Resolve(ulong hva)
        {
            _mmapLock.EnterReadLock();
            try
            {
                var vma = FindVma(hva);
                return vma is null ? (null, -1) : (vma, vma.PfnAt(vma.IndexOf(hva)));
            }
            finally
            {
                _mmapLock.ExitReadLock();
            }
        }

        private bool IsPresent(ulong hva) => Resolve(hva).Pfn >= 0;

        private Vma? FindVma(ulong hva)
        {
            var vmas = Volatile.Read(ref _vmas);
            int lo = 0, hi = vmas.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                if (hva < vmas[mid].Start)
                {
                    hi = mid - 1;
                }
                else if (hva >= vmas[mid].End)
                {
                    lo = mid + 1;
                }
                else
                {
                    return vmas[mid];
                }
            }

            return null;
        }

        private static ulong PagesOf(ulong length) => (length + KvmMemorySlot.PageSize - 1) / KvmMemorySlot.PageSize;
    }
}
