using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Which gfns are private (KVM_MEMORY_ATTRIBUTE_PRIVATE). Kernel: <c>kvm->mem_attr_array</c>,
    /// an xarray read locklessly by faults. Here an immutable sorted set of disjoint ranges,
    /// replaced whole under slots_lock; faults read it without locks and rely on the retry
    /// protocol, as in the kernel.
    /// </summary>
    public sealed class KvmMemoryAttributes
    {
        public const ulong Private = 1UL << 3;

        private (ulong Start, ulong End)[] _private = Array.Empty<(ulong, ulong)>();

        /// <summary>Kernel: kvm_mem_is_private. Units: gfn is a guest frame number.</summary>
        public bool IsPrivate(ulong gfn)
        {
            var ranges = Volatile.Read(ref _private);
            int lo = 0, hi = ranges.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                if (gfn < ranges[mid].Start)
                {
                    hi = mid - 1;
                }
                else if (gfn >= ranges[mid].End)
                {
                    lo = mid + 1;
                }
                else
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Sets [start, end) private or shared. Caller holds slots_lock and has an invalidation
        /// open over the range. Kernel: xa_store_range(&amp;kvm->mem_attr_array, ...).
        /// Units: Gfns [start, end).
        /// </summary>
        public void Set(ulong start, ulong end, bool isPrivate)
        {
            var result = new List<(ulong Start, ulong End)>();
            foreach (var range in Volatile.Read(ref _private))
            {
                // Keep the parts outside [start, end).
                if (range.End <= start || range.Start >= end)
                {
                    result.Add(range);
                    continue;
                }

                if (range.Start < start)
                {
                    result.Add((range.Start, start));
                }

                if (range.End > end)
                {
                    result.Add((end, range.End));
                }
            }

            if (isPrivate)
            {
                result.Add((start, end));
            }

            result.Sort((a, b) => a.Start.CompareTo(b.Start));
            var merged = new List<(ulong Start, ulong End)>();
            foreach (var range in result)
            {
                if (merged.Count > 0 && merged[merged.Count - 1].End >= range.Start)
                {
                    var last = merged[merged.Count - 1];
                    merged[merged.Count - 1] = (last.Start, Math.Max(last.End, range.End));
                }
                else
                {
                    merged.Add(range);
                }
            }

            Volatile.Write(ref _private, merged.ToArray());
        }
    }
}
