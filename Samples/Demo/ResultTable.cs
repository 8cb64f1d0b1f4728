using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Demo
{
    /// <summary>Formats runs as a fixed-width table, one row per run.</summary>
    internal static class ResultTable
    {
        private static readonly string[] Headers =
        {
            "VM", "port", "faults", "zapped shared", "zapped private", "private by HVA", "TLB flushes", "WBINVDs", "flush Mcycles", "flush ms under mmu_lock", "SPTEs on freed", "freed accesses", "stale TLB at unlock", "held at return", "lockdep", "lost writes",
        };

        internal static string Format(IReadOnlyList<RunResult> runs)
        {
            var rows = new List<string[]> { Headers };
            foreach (var run in runs)
            {
                rows.Add(new[]
                {
                    run.VmType.ToString(),
                    run.Port,
                    Number(run.Faults),
                    Number(run.ZappedSharedSptes),
                    Number(run.ZappedPrivateSptes),
                    Number(run.PrivateSptesZappedByHvaEvents),
                    Number(run.TlbFlushes),
                    Number(run.Wbinvds),
                    (run.FlushCycles / 1e6).ToString("0.0", CultureInfo.InvariantCulture),
                    run.MmuLockHeldMs.ToString("0.0", CultureInfo.InvariantCulture),
                    Number(run.PrivateSptesLeftOnFreedPages),
                    Number(run.GuestAccessesToFreedFrames),
                    Number(run.StaleTlbEntriesAtUnlock),
                    Number(run.ReturnsHoldingMmuLock),
                    Number(run.LockdepViolations),
                    Number(run.LostWrites),
                });
            }

            var widths = new int[Headers.Length];
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    widths[i] = System.Math.Max(widths[i], row[i].Length);
                }
            }

            var text = new StringBuilder();
            for (var r = 0; r < rows.Count; r++)
            {
                for (var i = 0; i < rows[r].Length; i++)
                {
                    // Names left-aligned, numbers right-aligned.
                    text.Append(i < 2 ? rows[r][i].PadRight(widths[i]) : rows[r][i].PadLeft(widths[i]));
                    text.Append(i == rows[r].Length - 1 ? "" : "  ");
                }

                text.AppendLine();
                if (r == 0)
                {
                    text.AppendLine(new string('-', text.Length - System.Environment.NewLine.Length));
                }
            }

            return text.ToString();
        }

        private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
