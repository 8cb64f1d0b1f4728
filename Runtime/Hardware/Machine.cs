using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The host: CPUs with TLBs and key-tagged caches, physical memory, the SNP RMP, and what
    /// the flushes cost. Kernel: arch/x86 (wbinvd_on_all_cpus, clflush_cache_range,
    /// flush_tlb_*) and the hardware under it.
    /// </summary>
    public sealed class Machine
    {
        [ThreadStatic]
        private static long t_cyclesOnThisThread;

        private readonly Cpu[] _cpus;
        private long _wbinvds;
        private long _pageFlushes;
        private long _flushCycles;
        private long _tlbFlushes;

        /// <summary>A host with <paramref name="cpuCount"/> CPUs and memory with room for <paramref name="initialPages"/> 4 KiB frames to start with (it grows).</summary>
        public Machine(int cpuCount = 4, long initialPages = 1 << 16)
        {
            if (cpuCount < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(cpuCount));
            }

            _cpus = new Cpu[cpuCount];
            for (var i = 0; i < cpuCount; i++)
            {
                _cpus[i] = new Cpu(i);
            }

            Memory = new HostMemory(initialPages);
        }

        public IReadOnlyList<Cpu> Cpus => _cpus;

        public HostMemory Memory { get; }

        public Rmp Rmp { get; } = new Rmp();

        /// <summary>
        /// Where the machine and its VMs record trace events (see <see cref="TraceRecorder"/>); null,
        /// the default, records nothing and costs one null check per hook.
        /// </summary>
        public TraceRecorder? Trace { get; set; }

        /// <summary>WBINVD/WBNOINVD executions, counted per CPU.</summary>
        public long Wbinvds => Interlocked.Read(ref _wbinvds);

        /// <summary>Single-page cache flushes.</summary>
        public long PageFlushes => Interlocked.Read(ref _pageFlushes);

        /// <summary>Cycles spent in cache flushes of any kind.</summary>
        public long FlushCycles => Interlocked.Read(ref _flushCycles);

        /// <summary>Remote TLB flushes.</summary>
        public long TlbFlushes => Interlocked.Read(ref _tlbFlushes);

        /// <summary>
        /// Modelled cycles of the flushes (cache and TLB) the current thread has waited for, on any
        /// machine: what a lock held across them costs everyone waiting for it.
        /// </summary>
        public static long CyclesOnThisThread => t_cyclesOnThisThread;

        /// <summary>Kernel: wbinvd_on_all_cpus(): write back and invalidate every cache.</summary>
        public void WbinvdOnAllCpus()
        {
            long cycles = 0;
            foreach (var cpu in _cpus)
            {
                cycles += WritebackCpu(cpu);
            }

            Trace?.Complete("wbinvd_on_all_cpus", 0, cycles * 1_000_000.0 / CostModel.CyclesPerSecond, "cpus", _cpus.Length);
        }

        /// <summary>Kernel (6.15+): sev_writeback_caches(): WBNOINVD only on CPUs that ran <paramref name="vmId"/>.</summary>
        public void WritebackCachesOfVm(int vmId)
        {
            foreach (var cpu in _cpus)
            {
                bool ran;
                lock (cpu.Lock)
                {
                    ran = cpu.RanVms.Contains(vmId);
                }

                if (ran)
                {
                    WritebackCpu(cpu);
                }
            }
        }

        /// <summary>Flushes one page's lines from every cache (CLFLUSHOPT over the page, or TDX's per-KeyID page WBINVD). Units: pfn is a host page frame number.</summary>
        public void FlushPage(long pfn)
        {
            foreach (var cpu in _cpus)
            {
                lock (cpu.Lock)
                {
                    cpu.Cache.WritebackInvalidate(pfn, Memory);
                }
            }

            Interlocked.Increment(ref _pageFlushes);
            Interlocked.Add(ref _flushCycles, CostModel.LinesPerPage * CostModel.FlushCyclesPerLine);
            t_cyclesOnThisThread += CostModel.LinesPerPage * CostModel.FlushCyclesPerLine;
        }

        /// <summary>Kernel: kvm_flush_remote_tlbs(): drops <paramref name="vmId"/>'s translations on every CPU and waits.</summary>
        public void FlushRemoteTlbs(int vmId)
        {
            foreach (var cpu in _cpus)
            {
                lock (cpu.Lock)
                {
                    cpu.Tlb.FlushVm(vmId);
                }
            }

            Interlocked.Increment(ref _tlbFlushes);
            t_cyclesOnThisThread += CostModel.TlbShootdownCycles;
        }

        /// <summary>TLB entries of <paramref name="kvm"/>, on every CPU, that still map an SPTE that was zapped (what a flush would remove).</summary>
        internal long CountStaleTlbEntries(Kvm kvm)
        {
            long count = 0;
            foreach (var cpu in _cpus)
            {
                lock (cpu.Lock)
                {
                    count += cpu.Tlb.CountStale(kvm.Id, (gfn, isPrivate, pfn) => KvmVcpu.IsStale(kvm, gfn, isPrivate, pfn));
                }
            }

            return count;
        }

        /// <summary>
        /// Time passing: every dirty line is eventually evicted and written back with its key.
        /// A line left behind for a page that changed owner overwrites the new owner's data.
        /// </summary>
        public void EvictAllCaches()
        {
            foreach (var cpu in _cpus)
            {
                lock (cpu.Lock)
                {
                    cpu.Cache.WritebackInvalidateAll(Memory);
                }
            }
        }

        /// <summary>A host (VMM or kernel) write: uncached, plaintext. Refused by the RMP for a guest-assigned page. Units: pfn is a host page frame number; value one 64-bit word.</summary>
        public bool HostWrite(long pfn, ulong value)
        {
            if (!Rmp.HostMayWrite(pfn))
            {
                return false;
            }

            Memory.Write(pfn, value, keyId: 0);
            return true;
        }

        /// <summary>The host reads frame <paramref name="pfn"/> uncached with no encryption key: plaintext of unencrypted data, a scramble of encrypted data.</summary>
        public ulong HostRead(long pfn) => Memory.Read(pfn, keyId: 0);

        /// <summary>Cache lines on any CPU still dirty for <paramref name="pfn"/> under a key other than <paramref name="keyId"/>.</summary>
        public bool HasForeignDirtyLine(long pfn, ushort keyId)
        {
            foreach (var cpu in _cpus)
            {
                lock (cpu.Lock)
                {
                    if (cpu.Cache.HasDirtyLine(pfn, out var key) && key != keyId)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private long WritebackCpu(Cpu cpu)
        {
            int dirty;
            lock (cpu.Lock)
            {
                dirty = cpu.Cache.WritebackInvalidateAll(Memory);
                cpu.RanVms.Clear();
                cpu.LastRanVm = 0;
            }

            var cycles = CostModel.WbinvdCyclesPerCpu + (dirty * CostModel.WritebackCyclesPerLine);
            Interlocked.Increment(ref _wbinvds);
            Interlocked.Add(ref _flushCycles, cycles);

            // The caller waits for every CPU's WBINVD to finish (wbinvd_on_all_cpus waits for the IPIs).
            t_cyclesOnThisThread += cycles;
            return cycles;
        }
    }
}
