using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// What a whole tree may spell and what it constructs, signatures, comments and all, read in
    /// one pass over its text: a superset of what any of its bodies spells. The gate reads every
    /// tree this way and indexes a tree's bodies (<see cref="TreeRoleIndex"/>) only when a name
    /// it looks for may be among these, so a tree of ordinary code costs one scan of its text.
    /// The names are kept as a <see cref="NameFilter"/>, so "spells" means "may spell": a false
    /// "may" costs indexing the tree, never a wrong answer. Kept while the tree lives, as the
    /// index is.
    /// </summary>
    internal sealed class TreeNames : ISpelling
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeNames> s_byTree = new ConditionalWeakTable<SyntaxTree, TreeNames>();

        private readonly NameFilter _names;
        private readonly BodySummary _creations;

        private TreeNames(SyntaxTree tree, CancellationToken cancellationToken)
        {
            var root = tree.GetRoot(cancellationToken);
            (_names, _creations) = BodySummary.OfWholeTree(tree.GetText(cancellationToken), root);
            Aliases = UsingAliases.Of(root);
        }

        /// <summary>The using aliases the tree declares (see <see cref="UsingAliases"/>).</summary>
        internal IReadOnlyList<(string Alias, string Target)> Aliases { get; }

        /// <summary>The size of the tree's name filter, in bits.</summary>
        internal int FilterBits => _names.Bits;

        /// <summary>Whether the text reading declined the tree and its tokens were read instead.</summary>
        internal bool ReadFromTokens => _creations.ReadFromTokens;

        /// <inheritdoc/>
        public bool HasImplicitCreation => _creations.HasImplicitCreation;

        /// <inheritdoc/>
        public IReadOnlyList<(string Type, bool WithArguments)> Creations => _creations.Creations;

        internal static TreeNames For(SyntaxTree tree, CancellationToken cancellationToken) =>
            // Looked up first: the lambda captures the token, so making it costs an allocation.
            s_byTree.TryGetValue(tree, out var names) ? names : s_byTree.GetValue(tree, t => new TreeNames(t, cancellationToken));

        /// <inheritdoc/>
        public bool SpellsAny(HashSet<string> names)
        {
            // The set's own struct enumerator: through IEnumerable it would be boxed, once per tree per question.
            foreach (var name in names)
            {
                if (Spells(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether the tree may spell <paramref name="name"/>: false only when it certainly does not.</summary>
        internal bool Spells(string name) => _names.MayContain(name);

        /// <summary>As <see cref="Spells(string)"/>, given the name's <see cref="NameFilter.Hash"/>.</summary>
        internal bool Spells(int nameHash) => _names.MayContain(nameHash);
    }
}
