using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The last few gates built, so that the gate of a keystroke's compilation can grow its
    /// closures from the gate of the compilation before (<see cref="NameClosure"/>). Several
    /// projects may be analysed at once, so a few are kept and the one sharing the most trees is
    /// chosen; one sharing fewer than half of them is not worth starting from. Guarded by a lock:
    /// gates of concurrent compilations are built on different threads.
    /// </summary>
    /// <remarks>
    /// Held strongly. They were held weakly, and a host that drops a keystroke's compilation
    /// once it is analysed (a benchmark does; so may an IDE under memory pressure) lost the gate
    /// at the next collection, which on a 500-file project came before most keystrokes: the next
    /// gate then followed every closure over every tree again (about 40 ms). A gate holds names,
    /// and its trees, verdicts and compilation only weakly, so keeping a few costs their names.
    /// </remarks>
    internal static class RecentGates
    {
        private const int Kept = 8;

        private static readonly object s_lock = new object();
        private static readonly SyntaxGate?[] s_gates = new SyntaxGate?[Kept];
        private static int s_next;

        /// <summary>The recent gate that shares the most of <paramref name="trees"/>, if it shares at least half.</summary>
        internal static SyntaxGate? Best(IReadOnlyList<(SyntaxTree Tree, TreeNames Names)> trees)
        {
            SyntaxGate? best = null;
            var bestShared = (trees.Count + 1) / 2;
            foreach (var gate in Live())
            {
                var shared = 0;
                foreach (var (tree, _) in trees)
                {
                    if (gate.Trees.Contains(tree))
                    {
                        shared++;
                    }
                }

                if (shared >= bestShared && shared > 0)
                {
                    best = gate;
                    bestShared = shared + 1;
                }
            }

            return best;
        }

        internal static void Remember(SyntaxGate gate)
        {
            lock (s_lock)
            {
                s_gates[s_next] = gate;
                s_next = (s_next + 1) % Kept;
            }
        }

        private static List<SyntaxGate> Live()
        {
            var live = new List<SyntaxGate>(Kept);
            lock (s_lock)
            {
                // Newest first: of gates sharing as many trees, the last keystroke's is chosen,
                // whose findings the next keystroke can reuse (Flow.BodyResults).
                for (var i = 1; i <= Kept; i++)
                {
                    if (s_gates[(s_next - i + Kept) % Kept] is { } gate)
                    {
                        live.Add(gate);
                    }
                }
            }

            return live;
        }
    }
}
