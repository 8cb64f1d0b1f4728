using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a tree's declarations say about inheritance, read from syntax alone: the names of the
    /// methods it declares <c>override</c>, and each type declaration that has a base list, with
    /// the identifiers that list spells. <see cref="MethodSummaries"/> asks it before it asks the
    /// compiler for the overrides or the implementations of a virtual or interface target, so a
    /// keystroke's compilation no longer resolves the base list of every type of the project
    /// (about 5 ms a keystroke at 500 files). Kept while the tree lives, so an edit re-reads only
    /// the edited tree.
    /// </summary>
    internal sealed class InheritanceIndex
    {
        private static readonly ConditionalWeakTable<SyntaxTree, InheritanceIndex> s_byTree = new ConditionalWeakTable<SyntaxTree, InheritanceIndex>();

        private static readonly List<BaseListEntry> NoEntries = new List<BaseListEntry>();

        private InheritanceIndex(SyntaxTree tree, CancellationToken cancellationToken)
        {
            HashSet<string>? overrides = null;
            List<BaseListEntry>? baseLists = null;
            var root = tree.GetRoot(cancellationToken);
            foreach (var node in root.DescendantNodes(static node => node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax))
            {
                switch (node)
                {
                    case MethodDeclarationSyntax method when method.Modifiers.Any(SyntaxKind.OverrideKeyword):
                        (overrides ??= new HashSet<string>(StringComparer.Ordinal)).Add(method.Identifier.ValueText);
                        break;
                    // A record implements IEquatable of itself with no base list.
                    case TypeDeclarationSyntax type when type.BaseList is not null || type is RecordDeclarationSyntax:
                        var spelled = new HashSet<string>(StringComparer.Ordinal);
                        if (type.BaseList is { } baseList)
                        {
                            foreach (var token in baseList.DescendantTokens())
                            {
                                if (token.IsKind(SyntaxKind.IdentifierToken))
                                {
                                    spelled.Add(token.ValueText);
                                }
                            }
                        }

                        (baseLists ??= new List<BaseListEntry>()).Add(new BaseListEntry(type.Identifier.ValueText, spelled, type));
                        break;
                }
            }

            Overrides = overrides;
            BaseLists = baseLists ?? NoEntries;
        }

        /// <summary>The names of the ordinary methods the tree declares with <c>override</c>, or null when none.</summary>
        internal HashSet<string>? Overrides { get; }

        /// <summary>
        /// The tree's class, struct, interface and record declarations (nested ones too) that may
        /// implement an interface: those with a base list, and every record. No other source type
        /// does (an enum's and a delegate's interfaces are their library base type's).
        /// </summary>
        internal List<BaseListEntry> BaseLists { get; }

        internal static InheritanceIndex For(SyntaxTree tree, CancellationToken cancellationToken) =>
            s_byTree.TryGetValue(tree, out var index) ? index : s_byTree.GetValue(tree, t => new InheritanceIndex(t, cancellationToken));

        /// <summary>
        /// The declarations, among <paramref name="entries"/>, of the types that may implement an
        /// interface named <paramref name="interfaceName"/>: a type can only implement it by
        /// naming it, a type that implements it, or an alias of either in one of its base lists
        /// (a base type from a referenced library cannot implement an interface of this
        /// compilation). So the names are closed over the base lists and the aliases first; a
        /// name too many costs one declared symbol, never a missed implementation.
        /// </summary>
        internal static List<BaseListEntry> MayImplement(string interfaceName, List<BaseListEntry> entries, List<(string Alias, string Target)> aliases)
        {
            var names = new HashSet<string>(StringComparer.Ordinal) { interfaceName };
            var candidates = new List<BaseListEntry>();
            var taken = new bool[entries.Count];
            bool added;
            do
            {
                added = false;
                Gate.UsingAliases.Close(names, aliases);
                for (var i = 0; i < entries.Count; i++)
                {
                    if (!taken[i] && entries[i].Spelled.Overlaps(names))
                    {
                        taken[i] = true;
                        candidates.Add(entries[i]);
                        added |= names.Add(entries[i].TypeName);
                    }
                }
            }
            while (added);

            return candidates;
        }
    }

    /// <summary>A type declaration that may implement an interface: its name, the identifiers its base list spells, and the declaration.</summary>
    internal readonly struct BaseListEntry
    {
        internal BaseListEntry(string typeName, HashSet<string> spelled, TypeDeclarationSyntax declaration)
        {
            TypeName = typeName;
            Spelled = spelled;
            Declaration = declaration;
        }

        internal string TypeName { get; }

        internal HashSet<string> Spelled { get; }

        internal TypeDeclarationSyntax Declaration { get; }
    }
}
