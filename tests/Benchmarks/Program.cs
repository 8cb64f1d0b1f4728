using System;
using System.Globalization;
using BenchmarkDotNet.Running;
using GfnGuard.Runtime;

namespace GfnGuard.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--storage")
        {
            ReportSpteStorage();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>Bytes of SPTE storage per mapped 4 KiB page, dense (1 GiB fully mapped) and sparse (every 64th page).</summary>
    private static void ReportSpteStorage()
    {
        const ulong pages = 262144;
        foreach (var stride in new ulong[] { 1, 8, 64 })
        {
            var vm = new BenchVm(slots: 1, pagesPerSlot: pages);
            for (ulong gfn = 0; gfn < pages; gfn += stride)
            {
                KvmMmu.PageFault(vm.Kvm, gfn, write: true, isPrivate: false);
            }

            var (mapped, bytes) = KvmMmu.SpteStorage(vm.Kvm);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"1 GiB slot, every {stride,2} page(s) mapped: {mapped,7} pages, {bytes,9} bytes, {(double)bytes / mapped:F3} bytes per mapped page"));
        }
    }
}
