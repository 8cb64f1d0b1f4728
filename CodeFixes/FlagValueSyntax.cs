using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.CodeFixes
{
    /// <summary>Syntax helpers for rewriting the value stored into a gfn range flag.</summary>
    internal static class FlagValueSyntax
    {
        /// <summary>
        /// Whether dropping <paramref name="value"/> drops nothing that runs: constants, names,
        /// member reads and operators over them. A call (<c>filter_for(kvm)</c>), a creation, an
        /// assignment or an increment is not: a fix that replaced it would no longer run it.
        /// </summary>
        internal static bool RunsNothing(ExpressionSyntax value) => value switch
        {
            LiteralExpressionSyntax or DefaultExpressionSyntax or IdentifierNameSyntax or PredefinedTypeSyntax or ThisExpressionSyntax => true,
            MemberAccessExpressionSyntax access => RunsNothing(access.Expression),
            ParenthesizedExpressionSyntax parenthesized => RunsNothing(parenthesized.Expression),
            CastExpressionSyntax cast => RunsNothing(cast.Expression),
            PrefixUnaryExpressionSyntax unary => unary.Kind() is not (SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression) && RunsNothing(unary.Operand),
            BinaryExpressionSyntax binary => RunsNothing(binary.Left) && RunsNothing(binary.Right),
            ConditionalExpressionSyntax conditional => RunsNothing(conditional.Condition) && RunsNothing(conditional.WhenTrue) && RunsNothing(conditional.WhenFalse),
            ConditionalAccessExpressionSyntax access => RunsNothing(access.Expression) && access.WhenNotNull is MemberBindingExpressionSyntax,
            ElementAccessExpressionSyntax element => RunsNothing(element.Expression) && element.ArgumentList.Arguments.All(a => RunsNothing(a.Expression)),
            IsPatternExpressionSyntax pattern => RunsNothing(pattern.Expression),
            CheckedExpressionSyntax @checked => RunsNothing(@checked.Expression),
            _ => false,
        };

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
        /// Whether <paramref name="value"/> can be replaced by a <c>false</c> literal: it sits where
        /// any expression may (an initializer's braces, a member name after a dot, a type do not),
        /// and it is whole (in code being typed, <c>with { OnlyPrivate = } true</c> gives the fix
        /// the initializer itself).
        /// </summary>
        internal static bool IsReplaceable(SyntaxNode value)
        {
            if (value is not ExpressionSyntax || value is InitializerExpressionSyntax || value.ContainsDiagnostics || value.Parent is not { } parent)
            {
                return false;
            }

            // A name or type in a slot that holds only names or types.
            return parent switch
            {
                MemberAccessExpressionSyntax access => !ReferenceEquals(access.Name, value),
                MemberBindingExpressionSyntax => false,
                QualifiedNameSyntax or AliasQualifiedNameSyntax or NameColonSyntax or NameEqualsSyntax => false,
                CastExpressionSyntax cast => ReferenceEquals(cast.Expression, value),
                // A name is also a type: only where an expression is expected is it a value.
                _ => value is not TypeSyntax || parent is AssignmentExpressionSyntax or ArgumentSyntax or EqualsValueClauseSyntax or InitializerExpressionSyntax
                    or ParenthesizedExpressionSyntax or ConditionalExpressionSyntax or BinaryExpressionSyntax or PrefixUnaryExpressionSyntax
                    or PostfixUnaryExpressionSyntax or ReturnStatementSyntax or ArrowExpressionClauseSyntax or ExpressionStatementSyntax,
            };
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
