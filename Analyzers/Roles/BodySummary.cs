using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>What a body spells (its identifiers) and which types it constructs, read once from syntax.</summary>
    /// <remarks>
    /// Every body of every tree gets one, ordinary code included, so it is kept small: the
    /// distinct identifiers as an exact-size array (gathered in a reused per-thread set), and
    /// the creations list only when the body constructs something.
    /// </remarks>
    internal sealed class BodySummary
    {
        [ThreadStatic]
        private static HashSet<string>? t_seen;

        private List<(string Type, bool WithArguments)>? _creations;

        private BodySummary()
        {
        }

        /// <summary>The distinct identifiers the body spells.</summary>
        internal string[] Identifiers { get; private set; } = Array.Empty<string>();

        /// <summary>Types constructed with <c>new T(...)</c> or <c>new T { }</c>: the last name, and whether arguments were given.</summary>
        internal IReadOnlyList<(string Type, bool WithArguments)> Creations =>
            (IReadOnlyList<(string, bool)>?)_creations ?? Array.Empty<(string, bool)>();

        /// <summary>A target-typed <c>new(...)</c>, whose type syntax cannot tell.</summary>
        internal bool HasImplicitCreation { get; private set; }

        /// <summary>One walk over the tokens of each part: identifiers, and the <c>new</c> keywords of object creations.</summary>
        internal static BodySummary Of(params SyntaxNode?[] parts)
        {
            var summary = new BodySummary();
            var seen = t_seen ??= new HashSet<string>(StringComparer.Ordinal);
            seen.Clear();
            foreach (var part in parts)
            {
                if (part is not null)
                {
                    summary.Read(part, seen);
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

        private void Read(SyntaxNode node, HashSet<string> seen)
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
