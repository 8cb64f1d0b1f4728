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

        if (args.Length is 4 or 5 && args[0] == "--corpus")
        {
            // --corpus <directory> <lines> <share of methods with a KVM role> [<share of those broken>]
            var lines = GfnGuard.Corpus.CorpusGenerator.WriteTo(args[1], new GfnGuard.Corpus.CorpusOptions(
                int.Parse(args[2], CultureInfo.InvariantCulture),
                double.Parse(args[3], CultureInfo.InvariantCulture),
                args.Length == 5 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0.02));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lines:N0} lines written to {args[1]}"));
            return;
        }

        if (args.Length > 0 && args[0] == "--analyzer-profile")
        {
            AnalyzerProfile.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--document-latency")
        {
            // --document-latency [keystrokes] [files in the project around the document] [comment|statement]
            DocumentLatencyBenchmarks.RunQuick(
                args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40,
                args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40,
                args.Length > 3 ? args[3] : DocumentLatencyBenchmarks.Keystrokes.Comment);
            return;
        }

        if (args.Length > 0 && args[0] == "--analyzer-cpu-share")
        {
            AnalyzerCpuShare.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--dense-share")
        {
            DenseCorpusShare.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "--analyzer-cost")
        {
            AnalyzerBuildCost.Run(args);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// Bytes per mapped 4 KiB page, measured from what the process allocates while the pages are
    /// faulted in (everything the fault path allocates, SPTE chunks and their directory included),
    /// dense (1 GiB fully mapped) and sparse (every 8th and 64th page); the SPTE tables' own count beside it.
    /// </summary>
    private static void ReportSpteStorage()
    {
        const ulong pages = 262144;
        foreach (var stride in new ulong[] { 1, 8, 64 })
        {
            var vm = new BenchVm(slots: 1, pagesPerSlot: pages);
            System.GC.Collect();
            var before = System.GC.GetTotalAllocatedBytes(precise: true);
            for (ulong gfn = 0; gfn < pages; gfn += stride)
            {
                KvmMmu.PageFault(vm.Kvm, gfn, write: true, isPrivate: false);
            }

            var allocated = System.GC.GetTotalAllocatedBytes(precise: true) - before;
            var (mapped, bytes) = KvmMmu.SpteStorage(vm.Kvm);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"1 GiB slot, every {stride,2} page(s) mapped: {mapped,7} pages, {allocated,9} bytes allocated = {(double)allocated / mapped:F3} bytes per mapped page (SPTE tables: {(double)bytes / mapped:F3})"));
        }
    }
}
