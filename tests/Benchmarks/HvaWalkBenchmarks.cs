using BenchmarkDotNet.Attributes;
using GfnGuard.Runtime;

namespace GfnGuard.Benchmarks;

/// <summary>
/// One mmu_notifier event over one page, with 1 to 32,764 memslots: the walk finds the slot
/// through the HVA interval index, so its cost must grow as log n, not n.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HvaWalkBenchmarks
{
    private BenchVm _vm = null!;
    private ulong _start;

    [Params(1, 16, 256, 4096, 32764)]
    public int Memslots { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _vm = new BenchVm(Memslots, pagesPerSlot: 1);

        // A page in the middle of the address space.
        _start = _vm.Hva + ((ulong)(Memslots / 2) * BenchVm.Page);
    }

    [Benchmark]
    public bool TestYoungOnePage()
    {
        var range = new KvmHvaRange(_start, _start + BenchVm.Page, KvmMmu.TestAgeGfn, onLock: null, flushOnReturn: false, mayBlock: false);
        return Kvm.__kvm_handle_hva_range(_vm.Kvm, range).Ret;
    }
}
