using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The trees a gate read, held weakly: a gate outlives its compilation in
    /// <see cref="RecentGates"/> (so the next keystroke's gate can grow from it even after a
    /// collection), and must not keep the trees of a compilation nobody uses alive.
    /// </summary>
    internal sealed class WeakTreeSet
    {
        private static readonly object s_member = new object();
        private readonly ConditionalWeakTable<SyntaxTree, object> _trees = new ConditionalWeakTable<SyntaxTree, object>();

        /// <summary>Adds a tree; only the thread building the gate adds, before anyone reads.</summary>
        internal void Add(SyntaxTree tree)
        {
            if (!_trees.TryGetValue(tree, out _))
            {
                _trees.Add(tree, s_member);
            }
        }

        internal bool Contains(SyntaxTree tree) => _trees.TryGetValue(tree, out _);
    }
}
