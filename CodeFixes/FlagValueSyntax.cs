using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.CodeFixes
{
    /// <summary>Syntax helpers for rewriting the value stored into a gfn range flag.</summary>
    internal static class FlagValueSyntax
    {
        /// <summary>The outermost node with exactly <paramref name="span"/> (FindNode may return an inner one).</summary>
        internal static SyntaxNode Outermost(SyntaxNode node, TextSpan span)
        {
            while (node.Parent is { } parent && parent.Span == span && parent is ExpressionSyntax)
            {
                node = parent;
            }

            return node;
        }

        /// <summary>
        /// <paramref name="value"/> replaced by <c>false</c>, keeping its trivia. A compound store
        /// (<c>r.OnlyShared |= x</c>) becomes a plain store of false.
        /// </summary>
        internal static SyntaxNode False(SyntaxNode value)
        {
            var literal = SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression);
            if (value is AssignmentExpressionSyntax assignment && !assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                var equals = SyntaxFactory.Token(assignment.OperatorToken.LeadingTrivia, SyntaxKind.EqualsToken, assignment.OperatorToken.TrailingTrivia);
                return SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, assignment.Left, equals, literal.WithTriviaFrom(assignment.Right))
                    .WithTriviaFrom(assignment);
            }

            return literal.WithTriviaFrom(value);
        }
    }
}
