using System;
using System.Globalization;
using GfnGuard.Runtime;

namespace Demo
{
    /// <summary>
    /// Runs an SEV and an SNP VM under host memory pressure with a notifier port that keeps the
    /// contracts (Samples/CleanPort), then with the one GfnGuard flags (Samples/BuggyPort), and
    /// prints what each cost.
    /// </summary>
    internal static class Program
    {
        private static int Main()
        {
            Console.WriteLine($"{PressureRun.Pages} guest pages per VM (half shared, half private), 4 CPUs; the guest works on a moving window of {PressureRun.Window} pages of each half");
            Console.WriteLine($"while kswapd ages and swaps out the rest, {PressureRun.Rounds} rounds. Flushes are priced by the runtime's cost model");
            Console.WriteLine("(a WBINVD is ~1 ms per CPU, a TLB shootdown ~1.3 µs); the time under mmu_lock is the flushes done while holding it.");
            Console.WriteLine();

            var clean = new[]
            {
                PressureRun.Run(KvmVmType.Sev, "clean", CleanPort.KvmMainNotifier.Ops),
                PressureRun.Run(KvmVmType.Snp, "clean", CleanPort.KvmMainNotifier.Ops),
            };
            var buggy = new[]
            {
                PressureRun.Run(KvmVmType.Sev, "buggy", BuggyPort.HvaNotifierPort.Ops),
                PressureRun.Run(KvmVmType.Snp, "buggy", BuggyPort.HvaNotifierPort.Ops),
            };

            Console.Write(ResultTable.Format(new[] { clean[0], clean[1], buggy[0], buggy[1] }));
            Console.WriteLine();
            Console.WriteLine("What the contracts buy:");
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  KVM0003 on SEV: the same {0:N0} WBINVDs, but the buggy port runs them under mmu_lock: {1:N0} ms of flushing under it instead of {2:0.0} ms ({3:N0}x), every vCPU fault waiting behind it; lockdep counted {4:N0} reclaims under the lock.",
                buggy[0].Wbinvds,
                buggy[0].MmuLockHeldMs,
                clean[0].MmuLockHeldMs,
                buggy[0].MmuLockHeldMs / Math.Max(clean[0].MmuLockHeldMs, 0.001),
                buggy[0].ReclaimsUnderMmuLock));
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  KVM0002 on SNP: swapping out the shared alias zapped {0:N0} private SPTEs the guest had to fault back in ({1:N0} faults instead of {2:N0}); lockdep counted {3:N0} HVA ranges that were not shared-only.",
                buggy[1].PrivateSptesZappedByHvaEvents,
                buggy[1].Faults,
                clean[1].Faults,
                buggy[1].HvaRangesNotSharedOnly));
            Console.WriteLine("  SNP pays no WBINVD in either port: its private memory is in guest_memfd, which flushes each page it frees.");
            Console.WriteLine();
            Console.WriteLine("The analyzers report both bugs at compile time: dotnet build Samples/BuggyPort/BuggyPort.csproj");

            var lost = clean[0].LostWrites + clean[1].LostWrites + buggy[0].LostWrites + buggy[1].LostWrites;
            return lost == 0 ? 0 : 1;
        }
    }
}
