using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The methods whose summary of one kind (<typeparamref name="TKind"/>, a marker type) is
    /// being computed on this thread. A summary that runs the method's body asks the same
    /// summary of every callee, so a recursive method asks its own: without the cut the analysis
    /// recursed until the compiler's stack overflowed, which kills the build (no AD0001 even).
    /// A method already in progress counts as passing nothing on.
    /// </summary>
    internal static class SummaryReentry<TKind>
    {
        [System.ThreadStatic]
        private static List<IMethodSymbol>? t_inProgress;

        /// <summary>False when the method's summary is already being computed on this thread; otherwise enters it (pair with <see cref="Exit"/>).</summary>
        internal static bool TryEnter(IMethodSymbol method)
        {
            var stack = t_inProgress ??= new List<IMethodSymbol>();
            foreach (var inProgress in stack)
            {
                if (SymbolEqualityComparer.Default.Equals(inProgress, method))
                {
                    return false;
                }
            }

            stack.Add(method);
            return true;
        }

        internal static void Exit() => t_inProgress!.RemoveAt(t_inProgress.Count - 1);
    }
}
