using System.Collections.Concurrent;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The SNP Reverse Map Table. A host write to an assigned page faults (an RMP violation).
    /// Kernel: rmp_make_private / rmp_make_shared (arch/x86/virt/svm/sev.c).
    /// </summary>
    public sealed class Rmp
    {
        private readonly ConcurrentDictionary<long, RmpEntry> _entries = new ConcurrentDictionary<long, RmpEntry>();
        private long _faults;

        /// <summary>Host accesses refused because the page was assigned to a guest.</summary>
        public long Faults => Interlocked.Read(ref _faults);

        public RmpEntry this[long pfn] => _entries.TryGetValue(pfn, out var entry) ? entry : default;

        /// <summary>Kernel: rmp_make_private.</summary>
        public void MakePrivate(long pfn, ulong gpa, int asid) => _entries[pfn] = new RmpEntry(assigned: true, asid, gpa, validated: true);

        /// <summary>Kernel: rmp_make_shared.</summary>
        public void MakeShared(long pfn) => _entries.TryRemove(pfn, out _);

        /// <summary>Checks a host access; returns false (and counts an RMP fault) when the page is a guest's.</summary>
        public bool HostMayWrite(long pfn)
        {
            if (_entries.TryGetValue(pfn, out var entry) && entry.Assigned)
            {
                Interlocked.Increment(ref _faults);
                return false;
            }

            return true;
        }
    }
}
