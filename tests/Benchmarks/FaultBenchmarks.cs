using System.Threading;
using BenchmarkDotNet.Attributes;
using GfnGuard.Runtime;

namespace GfnGuard.Benchmarks;

/// <summary>
/// Guest page faults through the vCPU path (TLB miss, SPTE walk, fault, install, refill) on one
/// and several threads, each vCPU on its own CPU and its own share of 4 GiB of populated memory.
/// Each invocation is a million faults, well past BenchmarkDotNet's minimum iteration time, so
/// the untimed unmap between invocations does not make the measurement one short call.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FaultBenchmarks
{
    private const int FaultPages = 1 << 20;

    private BenchVm _vm = null!;
    private KvmVcpu[] _vcpus = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _vm = new BenchVm(slots: 1, pagesPerSlot: FaultPages);
        _vcpus = new KvmVcpu[Threads];
        for (var i = 0; i < Threads; i++)
        {
            _vcpus[i] = _vm.Kvm.CreateVcpu(i);
        }
    }

    [IterationSetup]
    public void UnmapAll()
    {
        _vm.Kvm.FlushShadowAll();
        _vm.Kvm.FlushRemoteTlbs();
    }

    /// <summary>A guest write to every page, spread over the vCPUs (reported per fault).</summary>
    [Benchmark(OperationsPerInvoke = FaultPages)]
    public void VcpuFaults()
    {
        if (Threads == 1)
        {
            FaultShare(0);
            return;
        }

        var threads = new Thread[Threads];
        for (var i = 0; i < Threads; i++)
        {
            var share = i;
            threads[i] = new Thread(() => FaultShare(share));
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    private void FaultShare(int share)
    {
        var vcpu = _vcpus[share];
        var per = (ulong)FaultPages / (ulong)Threads;
        var first = per * (ulong)share;
        for (var gfn = first; gfn < first + per; gfn++)
        {
            vcpu.Write(gfn, gfn);
        }
    }
}

/// <summary>
/// The zap of a fully mapped 1 GiB range through the real kvm_mmu_notifier_invalidate_range_start
/// and _end (the VM's registered notifier: the HVA walk, the invalidation, the zap of 262,144
/// SPTEs, the TLB flush), 64 such ranges per invocation so an iteration is long enough to time.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ZapBenchmarks
{
    private const int Slots = 64;
    private const ulong PagesPerSlot = 262144;

    private BenchVm _vm = null!;

    [GlobalSetup]
    public void Setup() => _vm = new BenchVm(slots: Slots, pagesPerSlot: PagesPerSlot);

    [IterationSetup]
    public void MapAll() => _vm.FaultAll();

    /// <summary>One 1 GiB invalidate_range_start/_end pair (reported per 1 GiB range).</summary>
    [Benchmark(OperationsPerInvoke = Slots)]
    public void Zap1GiB()
    {
        var ops = KvmMmuNotifierOps.Kernel;
        for (var slot = 0UL; slot < Slots; slot++)
        {
            var start = _vm.Hva + (slot * PagesPerSlot * BenchVm.Page);
            var range = new MmuNotifierRange(start, start + (PagesPerSlot * BenchVm.Page), MmuNotifierEvent.Unmap, blockable: true);
            ops.InvalidateRangeStart(_vm.Kvm, range);
            ops.InvalidateRangeEnd(_vm.Kvm, range);
        }
    }
}
