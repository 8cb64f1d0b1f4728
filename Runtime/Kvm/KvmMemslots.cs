using System;
using System.Collections.Generic;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// One address space's memslots, as an immutable snapshot: lookup by gfn (binary search
    /// over slots sorted by base gfn) and by HVA range (an interval index).
    /// Kernel: <c>struct kvm_memslots</c>, read under SRCU and replaced whole on update.
    /// </summary>
    public sealed class KvmMemslots
    {
        internal static readonly KvmMemslots Empty = new KvmMemslots(Array.Empty<KvmMemorySlot>(), 0);

        private readonly KvmMemorySlot[] _byGfn;
        private readonly HvaIntervalIndex _hvaIndex;

        private KvmMemslots(KvmMemorySlot[] byGfn, long generation)
        {
            _byGfn = byGfn;
            _hvaIndex = new HvaIntervalIndex(byGfn);
            Generation = generation;
        }

        /// <summary>Bumped on every update (kernel: <c>generation</c>).</summary>
        public long Generation { get; }

        public int Count => _byGfn.Length;

        public IReadOnlyList<KvmMemorySlot> Slots => _byGfn;

        /// <summary>Kernel: __gfn_to_memslot / search_memslots. Units: gfn is a guest frame number.</summary>
        public KvmMemorySlot? FindByGfn(ulong gfn)
        {
            int lo = 0, hi = _byGfn.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                var slot = _byGfn[mid];
                if (gfn < slot.BaseGfn)
                {
                    hi = mid - 1;
                }
                else if (gfn >= slot.EndGfn)
                {
                    lo = mid + 1;
                }
                else
                {
                    return slot;
                }
            }

            return null;
        }

        /// <summary>The slot numbered <paramref name="id"/> (kernel: id_to_memslot), or null.</summary>
        public KvmMemorySlot? FindById(int id)
        {
            foreach (var slot in _byGfn)
            {
                if (slot.Id == id)
                {
                    return slot;
                }
            }

            return null;
        }

        /// <summary>Kernel: kvm_for_each_memslot_in_hva_range(node, slots, start, last). Units: HVA bytes [start, last], last inclusive (as the kernel queries its interval tree).</summary>
        public void FindByHvaRange(ulong start, ulong last, List<KvmMemorySlot> result) => _hvaIndex.Query(start, last, result);

        /// <summary>Kernel: kvm_for_each_memslot_in_gfn_range: slots intersecting [start, end). Units: Gfns [start, end).</summary>
        public void FindByGfnRange(ulong start, ulong end, List<KvmMemorySlot> result)
        {
            int lo = 0, hi = _byGfn.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (_byGfn[mid].EndGfn <= start)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (var i = lo; i < _byGfn.Length && _byGfn[i].BaseGfn < end; i++)
            {
                result.Add(_byGfn[i]);
            }
        }

        /// <summary>A new snapshot with <paramref name="remove"/> taken out and <paramref name="add"/> put in.</summary>
        internal KvmMemslots With(KvmMemorySlot? remove, KvmMemorySlot? add)
        {
            var list = new List<KvmMemorySlot>(_byGfn.Length + 1);
            foreach (var slot in _byGfn)
            {
                if (!ReferenceEquals(slot, remove))
                {
                    list.Add(slot);
                }
            }

            if (add is not null)
            {
                list.Add(add);
            }

            list.Sort((a, b) => a.BaseGfn.CompareTo(b.BaseGfn));
            return new KvmMemslots(list.ToArray(), Generation + 1);
        }

        /// <summary>A snapshot of many slots at once (building 32,764 slots one by one would cost O(n²)).</summary>
        internal KvmMemslots WithMany(IEnumerable<KvmMemorySlot> add)
        {
            var list = new List<KvmMemorySlot>(_byGfn);
            list.AddRange(add);
            list.Sort((a, b) => a.BaseGfn.CompareTo(b.BaseGfn));
            return new KvmMemslots(list.ToArray(), Generation + 1);
        }
    }
}
