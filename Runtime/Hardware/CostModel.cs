namespace GfnGuard.Runtime
{
    /// <summary>
    /// Cycle costs of the flushes the model performs, so samples can show what each contract
    /// costs. Orders of magnitude from public measurements: a WBINVD walks every line of a
    /// multi-megabyte cache and takes milliseconds, while a CLFLUSHOPT of one 4 KiB page is
    /// 64 line flushes.
    /// </summary>
    public static class CostModel
    {
        /// <summary>Fixed cost of WBINVD (or WBNOINVD) on one CPU: about 1 ms at 3 GHz.</summary>
        public const long WbinvdCyclesPerCpu = 3_000_000;

        /// <summary>Writing back one dirty cache line.</summary>
        public const long WritebackCyclesPerLine = 40;

        /// <summary>Cache lines in a 4 KiB page.</summary>
        public const int LinesPerPage = 64;

        /// <summary>Flushing one line by address (CLFLUSHOPT, or TDH.PHYMEM.PAGE.WBINVD per line).</summary>
        public const long FlushCyclesPerLine = 30;

        /// <summary>Clock rate that turns modelled cycles into time.</summary>
        public const long CyclesPerSecond = 3_000_000_000;

        /// <summary>One remote TLB shootdown (an IPI to every CPU and the wait for its ack).</summary>
        public const long TlbShootdownCycles = 4_000;
    }
}
