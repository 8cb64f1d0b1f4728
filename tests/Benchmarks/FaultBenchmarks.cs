using BenchmarkDotNet.Attributes;
using GfnGuard.Runtime;

namespace GfnGuard.Benchmarks;

/// <summary>Page faults on one thread over 256 MiB of populated memory, then the zap of a fully mapped 1 GiB range.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class FaultBenchmarks
{
    private const int FaultPages = 65536;
    private const int ZapPages = 262144;

    private BenchVm _faultVm = null!;
    private BenchVm _zapVm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _faultVm = new BenchVm(slots: 1, pagesPerSlot: FaultPages);
        _zapVm = new BenchVm(slots: 1, pagesPerSlot: ZapPages);
    }

    [IterationSetup(Target = nameof(Fault))]
    public void UnmapAll() => _faultVm.Kvm.FlushShadowAll();

    /// <summary>One fault per page (reported per fault).</summary>
    [Benchmark(OperationsPerInvoke = FaultPages)]
    public void Fault() => _faultVm.FaultAll();

    [IterationSetup(Target = nameof(Zap1GiB))]
    public void MapAll() => _zapVm.FaultAll();

    /// <summary>invalidate_range_start over the slot's whole 1 GiB: open the invalidation, zap 262,144 SPTEs, flush TLBs; then close it.</summary>
    [Benchmark]
    public void Zap1GiB()
    {
        var kvm = _zapVm.Kvm;
        var start = new KvmHvaRange(_zapVm.Hva, _zapVm.Hva + (ZapPages * BenchVm.Page), Unmap, k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: true);
        Kvm.__kvm_handle_hva_range(kvm, start);
        var end = new KvmHvaRange(_zapVm.Hva, _zapVm.Hva + (ZapPages * BenchVm.Page), handler: null, k => k.MmuInvalidateEnd(), flushOnReturn: false, mayBlock: true);
        Kvm.__kvm_handle_hva_range(kvm, end);
    }

    private static bool Unmap(Kvm kvm, ref KvmGfnRange range)
    {
        kvm.MmuInvalidateRangeAdd(range.Start, range.End);
        return KvmMmu.UnmapGfnRange(kvm, ref range);
    }
}
