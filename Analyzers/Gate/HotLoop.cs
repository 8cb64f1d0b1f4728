using System.Runtime.CompilerServices;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The JIT hint for the gate's scans of whole trees: MethodImplOptions.AggressiveOptimization
    /// (512; netstandard2.0 has no name for it, the .NET runtime that hosts the compiler honours
    /// it, .NET Framework ignores it). A build runs this code once, cold: tiered compilation would
    /// run the loop over every character unoptimised first. On Serilog the reading took 21 ms
    /// with tiering and 15 ms with the hint (docs/performance.md).
    /// </summary>
    internal static class HotLoop
    {
        internal const MethodImplOptions Optimized = (MethodImplOptions)512;
    }
}
