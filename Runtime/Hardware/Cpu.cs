namespace GfnGuard.Runtime
{
    /// <summary>
    /// A physical CPU: a TLB and a key-tagged cache. A vCPU runs on one; remote flushes take
    /// the CPU's lock, so a flush returns only after no access can still use what it removed
    /// (what an IPI and its acknowledgement guarantee on hardware).
    /// </summary>
    public sealed class Cpu
    {
        internal Cpu(int id)
        {
            Id = id;
        }

        public int Id { get; }

        internal object Lock { get; } = new object();

        internal Tlb Tlb { get; } = new Tlb();

        internal CpuCache Cache { get; } = new CpuCache();

        /// <summary>VM ids that ran on this CPU since its last cache writeback (for WBNOINVD on only those CPUs).</summary>
        internal System.Collections.Generic.HashSet<int> RanVms { get; } = new System.Collections.Generic.HashSet<int>();

        /// <summary>The VM whose access this CPU recorded in <see cref="RanVms"/> last (0: none since the set was cleared), so a run of accesses by one VM records it once.</summary>
        internal int LastRanVm { get; set; }
    }
}
