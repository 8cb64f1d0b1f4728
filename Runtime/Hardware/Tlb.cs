using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// One CPU's TLB for guest translations: a direct-mapped array of (VM, gfn, private) to pfn.
    /// A hit is used without looking at the SPTEs, so a zapped mapping stays usable until the
    /// TLB is flushed, as on hardware. Guarded by its CPU's lock.
    /// </summary>
    internal sealed class Tlb
    {
        internal const int Entries = 1536;

        private readonly Entry[] _entries = new Entry[Entries];

        internal bool TryLookup(int vmId, ulong gfn, bool isPrivate, out long pfn, out bool writable)
        {
            ref var entry = ref _entries[Index(vmId, gfn)];
            if (entry.Valid && entry.VmId == vmId && entry.Gfn == gfn && entry.Private == isPrivate)
            {
                pfn = entry.Pfn;
                writable = entry.Writable;
                return true;
            }

            pfn = -1;
            writable = false;
            return false;
        }

        internal void Fill(int vmId, ulong gfn, bool isPrivate, long pfn, bool writable)
        {
            _entries[Index(vmId, gfn)] = new Entry { Valid = true, VmId = vmId, Gfn = gfn, Private = isPrivate, Pfn = pfn, Writable = writable };
        }

        internal void FlushVm(int vmId)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i].VmId == vmId)
                {
                    _entries[i].Valid = false;
                }
            }
        }

        internal void FlushAll() => Array.Clear(_entries, 0, _entries.Length);

        /// <summary>The VM's valid entries that <paramref name="isStale"/> says no longer match their SPTE.</summary>
        internal int CountStale(int vmId, Func<ulong, bool, long, bool> isStale)
        {
            var count = 0;
            for (var i = 0; i < _entries.Length; i++)
            {
                ref var entry = ref _entries[i];
                if (entry.Valid && entry.VmId == vmId && isStale(entry.Gfn, entry.Private, entry.Pfn))
                {
                    count++;
                }
            }

            return count;
        }

        private static int Index(int vmId, ulong gfn) => (int)((gfn ^ ((ulong)vmId * 0x9E37UL)) % Entries);

        private struct Entry
        {
            internal bool Valid;
            internal bool Private;
            internal bool Writable;
            internal int VmId;
            internal ulong Gfn;
            internal long Pfn;
        }
    }
}
