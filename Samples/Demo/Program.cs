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
        private static int Main(string[] args)
        {
            string? tracePath = null;
            if (args.Length == 2 && args[0] == "--trace")
            {
                tracePath = args[1];
            }
            else if (args.Length > 0)
            {
                var help = args[0] is "--help" or "-h" or "-?";
                (help ? Console.Out : Console.Error).WriteLine(Usage);
                return help ? 0 : 2;
            }

            PressureRun.Trace = tracePath is null ? null : new TraceRecorder();

            Console.WriteLine($"{PressureRun.Pages} guest pages per VM (half shared, half private), 4 CPUs; the guest works on a moving window of {PressureRun.Window} pages of each half");
            Console.WriteLine($"while kswapd ages and swaps out the rest, {PressureRun.Rounds} rounds. Flushes are priced by the runtime's cost model");
            Console.WriteLine("(a WBINVD is ~1 ms per CPU, a TLB shootdown ~1.3 µs); the time under mmu_lock is the flushes done while holding it.");
            Console.WriteLine();

            var clean = new[]
            {
                PressureRun.Run(KvmVmType.Sev, "clean", CleanPort.KvmMainNotifier.Ops, CleanPort.GuestMemfdInvalidate.Ops),
                PressureRun.Run(KvmVmType.Snp, "clean", CleanPort.KvmMainNotifier.Ops, CleanPort.GuestMemfdInvalidate.Ops),
            };
            var buggy = new[]
            {
                PressureRun.Run(KvmVmType.Sev, "buggy", BuggyPort.HvaNotifierPort.Ops, BuggyPort.GuestMemfdInvalidate.Ops),
                PressureRun.Run(KvmVmType.Snp, "buggy", BuggyPort.HvaNotifierPort.Ops, BuggyPort.GuestMemfdInvalidate.Ops),
            };

            // The lock discipline (KVM0006, KVM0007) on SEV: the clean guest_memfd pair, the buggy notifier callbacks.
            var locking = PressureRun.Run(KvmVmType.Sev, "lock", BuggyPort.LockDisciplinePort.Ops, CleanPort.GuestMemfdInvalidate.Ops);

            Console.Write(ResultTable.Format(new[] { clean[0], clean[1], buggy[0], buggy[1], locking }));
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
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  KVM0005 on SNP: punching a hole with a range that is not private-only left {0:N0} private SPTEs mapping the freed pages, and the guest's next {1:N0} writes went into those freed frames instead of faulting in new ones; lockdep counted {2:N0} such range.",
                buggy[1].PrivateSptesLeftOnFreedPages,
                buggy[1].GuestAccessesToFreedFrames,
                buggy[1].GmemRangesNotPrivateOnly));
            Console.WriteLine("  KVM0004 (attr_filter form): a range whose filter is 0 zaps nothing; the runtime refuses to build one ("
                + RefusedEmptyFilter() + "), upstream WARNs and leaves the SPTEs mapped.");
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "  KVM0006 and KVM0007 on SEV (row \"lock\"): sending the TLB shootdown after dropping mmu_lock left TLB entries mapping zapped pages (count: {0:N0}) at the moment other vCPUs could run, pages the host frees right after; lockdep counted every such unlock; and returning from clear_flush_young at the first young page left mmu_lock held {1:N0} times (the model dropped it for the port; the kernel would deadlock the next fault).",
                locking.StaleTlbEntriesAtUnlock,
                locking.ReturnsHoldingMmuLock));
            Console.WriteLine("  SNP pays no WBINVD in either port: its private memory is in guest_memfd, which flushes each page it frees.");
            Console.WriteLine();
            Console.WriteLine("The analyzers report every one of these bugs at compile time: dotnet build Samples/BuggyPort/BuggyPort.csproj");

            if (tracePath is not null)
            {
                PressureRun.Trace!.WriteChromeTrace(tracePath);
                Console.WriteLine($"Trace: {PressureRun.Trace.Count:N0} events in {tracePath} (open it in https://ui.perfetto.dev or chrome://tracing; one process per VM).");
            }

            var lost = clean[0].LostWrites + clean[1].LostWrites + buggy[0].LostWrites + buggy[1].LostWrites + locking.LostWrites;
            return lost == 0 ? 0 : 1;
        }

        private const string Usage =
            "Usage: dotnet run --project Samples/Demo [--trace FILE | --help]\n"
            + "\n"
            + "Runs SEV and SNP VMs with the clean notifier and guest_memfd ports (Samples/CleanPort), then the buggy\n"
            + "ones (Samples/BuggyPort), then SEV with the port that breaks the lock discipline (row \"lock\"), and prints\n"
            + "one row per run:\n"
            + "  faults                   page faults that installed a mapping (pressure phase)\n"
            + "  zapped shared / private  SPTEs the notifier's handlers removed, per side\n"
            + "  private by HVA           private SPTEs zapped by an HVA-based event: the cost of KVM0002\n"
            + "  TLB flushes, WBINVDs     remote TLB shootdowns and whole-cache write-backs the host paid\n"
            + "  flush Mcycles            what those flushes cost in the cost model, in millions of cycles\n"
            + "  flush ms under mmu_lock  the part of that time spent holding mmu_lock: the cost of KVM0003\n"
            + "  SPTEs on freed           private SPTEs still mapping a page guest_memfd freed (punch-hole phase): KVM0005\n"
            + "  freed accesses           guest reads and writes that reached a freed frame through them\n"
            + "  stale TLB at unlock      TLB entries still mapping zapped SPTEs when mmu_lock was dropped with the flush pending: KVM0006\n"
            + "  held at return           notifier callbacks that returned holding mmu_lock: KVM0007\n"
            + "  lockdep                  every contract violation the runtime's lockdep counted; on the buggy SNP run that is\n"
            + "                           the reclaims under mmu_lock, the HVA ranges that were not shared-only and the\n"
            + "                           guest_memfd range that was not private-only\n"
            + "  lost writes              guest writes that did not read back (must be 0 for every port)\n"
            + "--trace FILE records every run as Chrome/Perfetto trace events named after the kernel's tracepoints.\n"
            + "Exit code 0 when no run lost a write.";

        /// <summary>The runtime's answer to a filter of 0, as the demo prints it.</summary>
        private static string RefusedEmptyFilter()
        {
            try
            {
                KvmGfnRange.WithFilter(new KvmMemorySlot(0, 0, 1, 0), 0, 1, 0);
                return "it did not";
            }
            catch (KvmContractViolationException refused)
            {
                return refused.Message;
            }
        }
    }
}
