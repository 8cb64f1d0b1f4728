using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace GfnGuard.CodeFixes
{
    /// <summary>Inserting statements next to one that may be an embedded statement (the body of an if without braces).</summary>
    internal static class StatementEdits
    {
        /// <summary>A statement ready to be placed on its own line and formatted there.</summary>
        internal static T OnItsOwnLine<T>(T statement, SyntaxNode inDocument)
            where T : StatementSyntax =>
            statement.WithLeadingTrivia(SyntaxFactory.ElasticMarker)
                .WithTrailingTrivia(NewLineOf(inDocument))
                .WithAdditionalAnnotations(Formatter.Annotation);

        /// <summary>The end-of-line the document already uses (LF or CRLF).</summary>
        internal static SyntaxTrivia NewLineOf(SyntaxNode node)
        {
            foreach (var trivia in node.SyntaxTree.GetRoot().DescendantTrivia())
            {
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    return trivia;
                }
            }

            return SyntaxFactory.ElasticCarriageReturnLineFeed;
        }

        internal static void InsertBefore(DocumentEditor editor, StatementSyntax statement, StatementSyntax[] inserted)
        {
            var formatted = inserted.Select(s => OnItsOwnLine(s, statement)).ToArray();
            if (statement.Parent is BlockSyntax or SwitchSectionSyntax)
            {
                editor.InsertBefore(statement, formatted);
            }
            else
            {
                editor.ReplaceNode(statement, SyntaxFactory.Block(formatted.Concat(new[] { statement.WithoutTrivia() })).WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation));
            }
        }
    }
}
