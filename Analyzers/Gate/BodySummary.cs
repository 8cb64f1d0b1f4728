using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>What a body spells (its identifiers) and which types it constructs, read once from syntax.</summary>
    /// <remarks>
    /// Every body of every tree gets one, ordinary code included, so it is kept small: the
    /// distinct identifiers as an exact-size array (gathered in a reused per-thread set), and
    /// the creations list only when the body constructs something. It is read from the
    /// source text where it can be (<see cref="TryReadText"/>), which costs a fraction of a
    /// token walk, and from the tokens where the text could mislead.
    /// </remarks>
    internal sealed partial class BodySummary : ISpelling
    {
        [ThreadStatic]
        private static HashSet<string>? t_seen;

        private List<(string Type, bool WithArguments)>? _creations;

        private BodySummary()
        {
        }

        /// <summary>The distinct identifiers the body spells.</summary>
        internal string[] Identifiers { get; private set; } = Array.Empty<string>();

        /// <inheritdoc/>
        public IReadOnlyList<(string Type, bool WithArguments)> Creations =>
            (IReadOnlyList<(string, bool)>?)_creations ?? Array.Empty<(string, bool)>();

        /// <summary>Whether some part given with its text had to be read from its tokens, the text being one the text reading declines.</summary>
        internal bool ReadFromTokens { get; private set; }

        /// <inheritdoc/>
        public bool HasImplicitCreation { get; private set; }

        /// <summary>
        /// Reads each part of a body: its identifiers, and the <c>new</c> keywords of object
        /// creations. <paramref name="text"/> is the text of the parts' tree.
        /// </summary>
        internal static BodySummary Of(SourceText text, params SyntaxNode?[] parts) => Read(text, parts);

        /// <summary>Reads the parts from their tokens only (the tests hold the text reading to it).</summary>
        internal static BodySummary OfTokens(params SyntaxNode?[] parts) => Read(null, parts);

        /// <summary>Reads each part from <paramref name="text"/> where the text reading can, else (or with no text) from its tokens.</summary>
        private static BodySummary Read(SourceText? text, SyntaxNode?[] parts)
        {
            var summary = new BodySummary();
            var seen = t_seen ??= new HashSet<string>(StringComparer.Ordinal);
            seen.Clear();
            foreach (var part in parts)
            {
                if (part is not null && (text is null || !summary.TryReadText(text, part, seen, filter: null)))
                {
                    summary.ReadTokens(part, seen);
                    summary.ReadFromTokens |= text is not null;
                }
            }

            if (seen.Count > 0)
            {
                summary.Identifiers = new string[seen.Count];
                seen.CopyTo(summary.Identifiers);
                seen.Clear();
            }

            return summary;
        }

        /// <summary>
        /// A whole tree read into a <see cref="NameFilter"/>, with its creations: from its text,
        /// or from its tokens where the text reading declines (a tree being typed often has a
        /// syntax error somewhere).
        /// </summary>
        internal static (NameFilter Names, BodySummary Creations) OfWholeTree(SourceText text, SyntaxNode root)
        {
            var fromText = new BodySummary();
            var filter = NameFilter.Scratch(text.Length);
            if (fromText.TryReadText(text, root, seen: null, filter))
            {
                return (filter.Compact(), fromText);
            }

            var fromTokens = OfTokens(root);
            filter = NameFilter.Scratch(text.Length);
            foreach (var name in fromTokens.Identifiers)
            {
                filter.AddName(name);
            }

            fromTokens.ReadFromTokens = true;
            return (filter.Compact(), fromTokens);
        }

        /// <inheritdoc/>
        public bool SpellsAny(HashSet<string> names)
        {
            foreach (var identifier in Identifiers)
            {
                if (names.Contains(identifier))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The exact reading, from the tokens: what <see cref="TryReadText"/> must never miss.</summary>
        private void ReadTokens(SyntaxNode node, HashSet<string> seen)
        {
            foreach (var token in node.DescendantTokens())
            {
                switch (token.Kind())
                {
                    case SyntaxKind.IdentifierToken:
                        seen.Add(token.ValueText);
                        break;
                    case SyntaxKind.NewKeyword when token.Parent is ImplicitObjectCreationExpressionSyntax:
                        HasImplicitCreation = true;
                        break;
                    case SyntaxKind.NewKeyword when token.Parent is ObjectCreationExpressionSyntax creation && LastIdentifier(creation.Type) is { } type:
                        (_creations ??= new List<(string, bool)>()).Add((type, creation.ArgumentList is { Arguments.Count: > 0 }));
                        break;
                }
            }
        }

        internal static string? LastIdentifier(TypeSyntax type) => type switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            NullableTypeSyntax nullable => LastIdentifier(nullable.ElementType),
            _ => null,
        };
    }
}
