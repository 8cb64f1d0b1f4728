using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What a whole tree spells and constructs, signatures, comments and all, read in one pass
    /// over its text: a superset of what any of its bodies spells. The gate reads every tree
    /// this way and indexes a tree's bodies (<see cref="TreeRoleIndex"/>) only when a name it
    /// looks for is among these, so a tree of ordinary code costs one scan of its text. Kept
    /// while the tree lives, as the index is.
    /// </summary>
    internal sealed class TreeNames
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeNames> s_byTree = new ConditionalWeakTable<SyntaxTree, TreeNames>();

        private readonly HashSet<string> _names;

        private TreeNames(BodySummary summary)
        {
            Summary = summary;
            _names = new HashSet<string>(summary.Identifiers, System.StringComparer.Ordinal);
        }

        /// <summary>The whole tree read as one body.</summary>
        internal BodySummary Summary { get; }

        internal static TreeNames For(SyntaxTree tree, CancellationToken cancellationToken) =>
            s_byTree.GetValue(tree, t => new TreeNames(BodySummary.Of(t.GetText(cancellationToken), t.GetRoot(cancellationToken))));

        /// <summary>Whether the tree spells any of <paramref name="names"/> anywhere.</summary>
        internal bool SpellsAny(IEnumerable<string> names)
        {
            foreach (var name in names)
            {
                if (_names.Contains(name))
                {
                    return true;
                }
            }

            return false;
        }

        internal bool Spells(string name) => _names.Contains(name);
    }
}
