using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// A mapped region of the host address space with its page-table entries.
    /// Kernel: <c>struct vm_area_struct</c> plus its PTEs. Page states are per page, so
    /// munmap, mprotect and madvise on part of a region need no split.
    /// </summary>
    internal sealed class Vma
    {
        internal const byte Unmapped = 0;
        internal const byte ReadWrite = 1;
        internal const byte ReadOnly = 2;

        internal Vma(ulong start, ulong pages, bool writable)
        {
            Start = start;
            Pages = pages;
            Pfns = new long[pages];
            State = new byte[pages];
            CopyOnWrite = new bool[pages];
            for (ulong i = 0; i < pages; i++)
            {
                State[i] = writable ? ReadWrite : ReadOnly;
            }
        }

        internal ulong Start { get; }

        internal ulong Pages { get; }

        internal ulong End => Start + (Pages * KvmMemorySlot.PageSize);

        /// <summary>pfn + 1 of each page's frame; 0 when not present.</summary>
        internal long[] Pfns { get; }

        internal byte[] State { get; }

        /// <summary>The frame is shared (KSM): a write must copy it first.</summary>
        internal bool[] CopyOnWrite { get; }

        /// <summary>Serialises faulting pages in (readers of the mmap lock may race to populate).</summary>
        internal object FaultLock { get; } = new object();

        internal ulong IndexOf(ulong hva) => (hva - Start) / KvmMemorySlot.PageSize;

        internal long PfnAt(ulong index) => Volatile.Read(ref Pfns[index]) - 1;
    }
}
