using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Host physical memory: page frames with an allocator. Each page holds one 64-bit word of
    /// content (enough to check data integrity), tagged with the encryption key it was last
    /// written with. Reading with another key yields ciphertext, as SEV and TDX memory
    /// encryption do. Kernel: the page allocator plus the memory controller's encryption.
    /// </summary>
    public sealed class HostMemory
    {
        private readonly object _allocatorLock = new object();
        private readonly Stack<long> _free = new Stack<long>();
        private ulong[] _content;
        private ushort[] _key;
        private long[] _generation;
        private PageOwner[] _owner;
        private long _next;

        /// <summary>Host memory with room for <paramref name="initialPages"/> 4 KiB frames to start with; it grows as pages are allocated.</summary>
        public HostMemory(long initialPages = 1 << 16)
        {
            _content = new ulong[initialPages];
            _key = new ushort[initialPages];
            _generation = new long[initialPages];
            _owner = new PageOwner[initialPages];
        }

        /// <summary>Pages handed out and not freed.</summary>
        public long AllocatedPages => Interlocked.Read(ref _allocated);

        private long _allocated;

        /// <summary>Writes that reached a page nobody owns: a use-after-free in the model.</summary>
        public long WritesToFreePages => Interlocked.Read(ref _writesToFreePages);

        private long _writesToFreePages;

        /// <summary>Allocates a zeroed page for <paramref name="owner"/>; returns its pfn.</summary>
        public long Allocate(PageOwner owner)
        {
            if (owner == PageOwner.Free)
            {
                throw new ArgumentException("A page is allocated to someone.", nameof(owner));
            }

            lock (_allocatorLock)
            {
                long pfn;
                if (_free.Count > 0)
                {
                    pfn = _free.Pop();
                }
                else
                {
                    pfn = _next++;
                    if (pfn >= _content.Length)
                    {
                        Grow();
                    }
                }

                Volatile.Write(ref _content[pfn], 0);
                _key[pfn] = 0;
                _generation[pfn]++;
                _owner[pfn] = owner;
                Interlocked.Increment(ref _allocated);
                return pfn;
            }
        }

        /// <summary>Returns a page to the allocator. What caches still hold of it is not touched. Units: pfn is a host page frame number.</summary>
        public void Free(long pfn)
        {
            lock (_allocatorLock)
            {
                if (_owner[pfn] == PageOwner.Free)
                {
                    throw new KvmContractViolationException($"double free of pfn {pfn:x}");
                }

                _owner[pfn] = PageOwner.Free;
                _free.Push(pfn);
                Interlocked.Decrement(ref _allocated);
            }
        }

        /// <summary>Who owns page frame <paramref name="pfn"/> (a host frame number), or <see cref="PageOwner.Free"/>.</summary>
        public PageOwner OwnerOf(long pfn) => Volatile.Read(ref _owner)[pfn];

        /// <summary>A write straight to memory (uncached), with encryption key <paramref name="keyId"/>.</summary>
        public void Write(long pfn, ulong value, ushort keyId) => WriteCoherent(pfn, value, keyId);

        /// <summary>
        /// A write through a cache that keeps the caches of one key coherent (MESI): the value is
        /// in memory at once, and the returned generation tags the writer's line, so an older line
        /// of the same key elsewhere is known to be superseded. Lines of other keys are not
        /// coherent with it: that is SEV's hazard, kept in <see cref="WriteBack"/>.
        /// </summary>
        internal long WriteCoherent(long pfn, ulong value, ushort keyId)
        {
            lock (_allocatorLock)
            {
                if (_owner[pfn] == PageOwner.Free)
                {
                    Interlocked.Increment(ref _writesToFreePages);
                }

                _content[pfn] = value;
                _key[pfn] = keyId;
                return ++_generation[pfn];
            }
        }

        /// <summary>Is a cache line of <paramref name="keyId"/> tagged <paramref name="generation"/> still what memory holds?</summary>
        internal bool IsCurrent(long pfn, ushort keyId, long generation)
        {
            lock (_allocatorLock)
            {
                return _generation[pfn] == generation && _key[pfn] == keyId;
            }
        }

        /// <summary>
        /// A dirty line written back (evicted, WBINVD, CLFLUSH). A line of the key memory was last
        /// written with, but older, was superseded by a coherent write and is dropped; a line of
        /// another key is not coherent with what is there and overwrites it: the corruption SEV's
        /// reclaim flushes to prevent (a freed page reused by its next owner).
        /// </summary>
        internal void WriteBack(long pfn, ulong value, ushort keyId, long generation)
        {
            lock (_allocatorLock)
            {
                if (_key[pfn] == keyId && generation < _generation[pfn])
                {
                    return;
                }

                if (_owner[pfn] == PageOwner.Free)
                {
                    Interlocked.Increment(ref _writesToFreePages);
                }

                _content[pfn] = value;
                _key[pfn] = keyId;
                _generation[pfn]++;
            }
        }

        /// <summary>A read straight from memory with key <paramref name="keyId"/>: plaintext only with the writer's key.</summary>
        public ulong Read(long pfn, ushort keyId)
        {
            lock (_allocatorLock)
            {
                var value = _content[pfn];
                var writtenWith = _key[pfn];
                return writtenWith == keyId ? value : Ciphertext(value, writtenWith, keyId);
            }
        }

        /// <summary>A page's raw contents and the key they were written with (what swap stores).</summary>
        public (ulong Content, ushort Key) ReadRaw(long pfn)
        {
            lock (_allocatorLock)
            {
                return (_content[pfn], _key[pfn]);
            }
        }

        /// <summary>Copies a page's raw contents (migration, swap-in): ciphertext moves as ciphertext.</summary>
        public void CopyPage(long from, long to)
        {
            lock (_allocatorLock)
            {
                _content[to] = _content[from];
                _key[to] = _key[from];
                _generation[to]++;
            }
        }

        /// <summary>What a reader with the wrong key sees: a deterministic scramble, never the plaintext.</summary>
        internal static ulong Ciphertext(ulong value, ushort writtenWith, ushort readWith)
        {
            var x = value ^ (0x9E3779B97F4A7C15UL * (ulong)(writtenWith + 1)) ^ ((ulong)readWith << 48);
            x ^= x >> 31;
            x *= 0xBF58476D1CE4E5B9UL;
            x ^= x >> 29;
            return x == value ? ~x : x;
        }

        private void Grow()
        {
            var size = _content.Length * 2;
            Array.Resize(ref _content, size);
            Array.Resize(ref _key, size);
            Array.Resize(ref _generation, size);
            var owner = _owner;
            Array.Resize(ref owner, size);
            Volatile.Write(ref _owner, owner);
        }
    }
}
