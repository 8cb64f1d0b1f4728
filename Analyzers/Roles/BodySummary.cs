using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>What a body spells (its identifiers) and which types it constructs, read once from syntax.</summary>
    internal sealed class BodySummary
    {
        internal HashSet<string> Identifiers { get; } = new HashSet<string>(System.StringComparer.Ordinal);

        /// <summary>Types constructed with <c>new T(...)</c> or <c>new T { }</c>: the last name, and whether arguments were given.</summary>
        internal List<(string Type, bool WithArguments)> Creations { get; } = new List<(string, bool)>();

        /// <summary>A target-typed <c>new(...)</c>, whose type syntax cannot tell.</summary>
        internal bool HasImplicitCreation { get; private set; }

        /// <summary>One walk over the tokens: identifiers, and the <c>new</c> keywords of object creations.</summary>
        internal void Read(SyntaxNode node)
        {
            foreach (var token in node.DescendantTokens())
            {
                switch (token.Kind())
                {
                    case SyntaxKind.IdentifierToken:
                        Identifiers.Add(token.ValueText);
                        break;
                    case SyntaxKind.NewKeyword when token.Parent is ImplicitObjectCreationExpressionSyntax:
                        HasImplicitCreation = true;
                        break;
                    case SyntaxKind.NewKeyword when token.Parent is ObjectCreationExpressionSyntax creation && LastIdentifier(creation.Type) is { } type:
                        Creations.Add((type, creation.ArgumentList is { Arguments.Count: > 0 }));
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
