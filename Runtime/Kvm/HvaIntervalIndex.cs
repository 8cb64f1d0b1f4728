using System;
using System.Collections.Generic;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Finds the memslots whose HVA range intersects a query range in O(log n + k).
    /// Kernel: the per-address-space <c>hva_tree</c> interval tree and
    /// <c>kvm_for_each_memslot_in_hva_range</c>. Slots sorted by start HVA, with a max-end
    /// segment tree over them so the walk prunes every subtree that ends before the query.
    /// Immutable: a memslot update builds a new index.
    /// </summary>
    internal sealed class HvaIntervalIndex
    {
        private readonly KvmMemorySlot[] _byStart;
        private readonly ulong[] _maxLast;
        private readonly int _leaves;

        internal HvaIntervalIndex(IEnumerable<KvmMemorySlot> slots)
        {
            var list = new List<KvmMemorySlot>(slots);
            list.Sort((a, b) => a.UserspaceAddress.CompareTo(b.UserspaceAddress));
            _byStart = list.ToArray();
            _leaves = 1;
            while (_leaves < _byStart.Length)
            {
                _leaves <<= 1;
            }

            _maxLast = new ulong[2 * _leaves];
            for (var i = 0; i < _byStart.Length; i++)
            {
                _maxLast[_leaves + i] = _byStart[i].EndHva - 1;
            }

            for (var node = _leaves - 1; node >= 1; node--)
            {
                _maxLast[node] = Math.Max(_maxLast[2 * node], _maxLast[(2 * node) + 1]);
            }
        }

        internal int Count => _byStart.Length;

        /// <summary>Slots intersecting [first, last] (inclusive, as the kernel queries <c>[start, end - 1]</c>), in HVA order.</summary>
        internal void Query(ulong first, ulong last, List<KvmMemorySlot> result)
        {
            if (_byStart.Length == 0)
            {
                return;
            }

            // Only slots starting at or before `last` can intersect: a prefix of the sorted array.
            var limit = UpperBound(last);
            if (limit > 0)
            {
                Walk(1, 0, _leaves, limit, first, result);
            }
        }

        private void Walk(int node, int lo, int hi, int limit, ulong first, List<KvmMemorySlot> result)
        {
            if (lo >= limit || _maxLast[node] < first)
            {
                return;
            }

            if (hi - lo == 1)
            {
                result.Add(_byStart[lo]);
                return;
            }

            var mid = (lo + hi) / 2;
            Walk(2 * node, lo, mid, limit, first, result);
            Walk((2 * node) + 1, mid, hi, limit, first, result);
        }

        /// <summary>The number of slots whose start HVA is at or before <paramref name="hva"/>.</summary>
        private int UpperBound(ulong hva)
        {
            int lo = 0, hi = _byStart.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (_byStart[mid].UserspaceAddress <= hva)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
