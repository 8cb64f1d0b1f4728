using System;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The leaf SPTEs of one memslot for one side (shared or private): 8 bytes per page in
    /// 4 KiB chunks of 512 entries allocated on first use, as page-table pages are. Faults
    /// install entries with compare-and-swap under mmu_lock held for read; zaps and aging run
    /// under mmu_lock held for write. Kernel: the TDP MMU's leaf level (arch/x86/kvm/mmu/tdp_mmu.c).
    /// </summary>
    internal sealed class SpteTable
    {
        internal const int ChunkShift = 9;
        internal const int ChunkSize = 1 << ChunkShift;
        private const int ChunkMask = ChunkSize - 1;

        private readonly ulong[]?[] _chunks;
        private readonly int[] _present;
        private long _mapped;

        internal SpteTable(ulong pageCount)
        {
            PageCount = pageCount;
            var chunks = (int)((pageCount + ChunkSize - 1) >> ChunkShift);
            _chunks = new ulong[]?[chunks];
            _present = new int[chunks];
        }

        internal ulong PageCount { get; }

        /// <summary>Entries currently present.</summary>
        internal long Mapped => Interlocked.Read(ref _mapped);

        /// <summary>Bytes this table occupies (entries, chunk headers, the chunk directory and counts).</summary>
        internal long StorageBytes
        {
            get
            {
                const int arrayHeader = 24;
                long bytes = arrayHeader + (_chunks.LongLength * IntPtr.Size) + arrayHeader + (_present.LongLength * sizeof(int));
                foreach (var chunk in _chunks)
                {
                    if (chunk is not null)
                    {
                        bytes += arrayHeader + (chunk.LongLength * sizeof(ulong));
                    }
                }

                return bytes;
            }
        }

        internal ulong Get(ulong index)
        {
            var chunk = Volatile.Read(ref _chunks[index >> ChunkShift]);
            return chunk is null ? 0 : Volatile.Read(ref chunk[index & ChunkMask]);
        }

        /// <summary>Installs <paramref name="spte"/> if the entry still holds <paramref name="expected"/> (kernel: tdp_mmu_set_spte_atomic).</summary>
        internal bool TryInstall(ulong index, ulong expected, ulong spte)
        {
            var chunkIndex = (int)(index >> ChunkShift);
            var chunk = Volatile.Read(ref _chunks[chunkIndex]);
            if (chunk is null)
            {
                Interlocked.CompareExchange(ref _chunks[chunkIndex], new ulong[ChunkSize], null);
                chunk = _chunks[chunkIndex]!;
            }

            var old = Interlocked.CompareExchange(ref chunk[index & ChunkMask], spte, expected);
            if (old != expected)
            {
                return false;
            }

            var delta = (Spte.IsPresent(spte) ? 1 : 0) - (Spte.IsPresent(old) ? 1 : 0);
            if (delta != 0)
            {
                Interlocked.Add(ref _present[chunkIndex], delta);
                Interlocked.Add(ref _mapped, delta);
            }

            return true;
        }

        /// <summary>Sets bits on a present entry (accessed/dirty from a hardware walk).</summary>
        internal void SetBits(ulong index, ulong bits)
        {
            var chunk = Volatile.Read(ref _chunks[index >> ChunkShift]);
            if (chunk is null)
            {
                return;
            }

            ref var slot = ref chunk[index & ChunkMask];
            while (true)
            {
                var old = Volatile.Read(ref slot);
                if (!Spte.IsPresent(old) || (old & bits) == bits || Interlocked.CompareExchange(ref slot, old | bits, old) == old)
                {
                    return;
                }
            }
        }

        /// <summary>
        /// Clears every present entry in [start, end); calls <paramref name="onZap"/> with each
        /// zapped entry when given. Caller holds mmu_lock for write. Returns the number zapped.
        /// </summary>
        internal long Zap(ulong start, ulong end, Action<ulong, ulong>? onZap)
        {
            end = Math.Min(end, PageCount);
            long zapped = 0;
            var index = start;
            while (index < end)
            {
                var chunkIndex = (int)(index >> ChunkShift);
                var chunkStart = (ulong)chunkIndex << ChunkShift;
                var chunkEnd = Math.Min(chunkStart + ChunkSize, end);
                var chunk = _chunks[chunkIndex];
                if (chunk is null || _present[chunkIndex] == 0)
                {
                    index = chunkEnd;
                    continue;
                }

                if (onZap is null && index == chunkStart && chunkEnd - chunkStart == ChunkSize)
                {
                    // A whole chunk: drop it in one go, as zapping a page-table page does.
                    zapped += _present[chunkIndex];
                    Array.Clear(chunk, 0, ChunkSize);
                    _present[chunkIndex] = 0;
                    index = chunkEnd;
                    continue;
                }

                var removed = 0;
                for (; index < chunkEnd; index++)
                {
                    ref var entry = ref chunk[index & ChunkMask];
                    var spte = entry;
                    if (Spte.IsPresent(spte))
                    {
                        entry = 0;
                        removed++;
                        onZap?.Invoke(index, spte);
                    }
                }

                _present[chunkIndex] -= removed;
                zapped += removed;
            }

            Interlocked.Add(ref _mapped, -zapped);
            return zapped;
        }

        /// <summary>Clears accessed bits in [start, end); returns true if any entry was young (kernel: kvm_tdp_mmu_age_gfn_range).</summary>
        internal bool Age(ulong start, ulong end, bool clear)
        {
            end = Math.Min(end, PageCount);
            var young = false;
            for (var index = start; index < end;)
            {
                var chunkIndex = (int)(index >> ChunkShift);
                var chunkEnd = Math.Min(((ulong)chunkIndex << ChunkShift) + ChunkSize, end);
                var chunk = _chunks[chunkIndex];
                if (chunk is null || Volatile.Read(ref _present[chunkIndex]) == 0)
                {
                    index = chunkEnd;
                    continue;
                }

                for (; index < chunkEnd; index++)
                {
                    ref var entry = ref chunk[index & ChunkMask];
                    var spte = Volatile.Read(ref entry);
                    if (Spte.IsPresent(spte) && Spte.IsAccessed(spte))
                    {
                        young = true;
                        if (!clear)
                        {
                            return true;
                        }

                        Interlocked.CompareExchange(ref entry, spte & ~Spte.Accessed, spte);
                    }
                }
            }

            return young;
        }
    }
}
