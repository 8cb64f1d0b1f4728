using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The last few gates built, held weakly, so that the gate of a keystroke's compilation can
    /// grow its closures from the gate of the compilation before (<see cref="NameClosure"/>).
    /// Several projects may be analysed at once, so a few are kept and the one sharing the most
    /// trees is chosen; one sharing fewer than half of them is not worth starting from. Guarded
    /// by a lock: gates of concurrent compilations are built on different threads.
    /// </summary>
    internal static class RecentGates
    {
        private const int Kept = 8;

        private static readonly object s_lock = new object();
        private static readonly WeakReference<SyntaxGate>?[] s_gates = new WeakReference<SyntaxGate>?[Kept];
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
                s_gates[s_next] = new WeakReference<SyntaxGate>(gate);
                s_next = (s_next + 1) % Kept;
            }
        }

        private static List<SyntaxGate> Live()
        {
            var live = new List<SyntaxGate>(Kept);
            lock (s_lock)
            {
                foreach (var reference in s_gates)
                {
                    if (reference is not null && reference.TryGetTarget(out var gate))
                    {
                        live.Add(gate);
                    }
                }
            }

            return live;
        }
    }
}
