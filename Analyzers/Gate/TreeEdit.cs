using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// What a keystroke changed in one document: the region of text between the two versions of
    /// its tree, and whether that region is only comments and white space, or lies inside one
    /// member's body. Anything else (a declaration, a directive, a brace that moves a member's
    /// end) is no edit a later result may be reused across, and <see cref="Between"/> says null.
    /// </summary>
    /// <remarks>
    /// The text outside the region is the same in both versions by construction (a common prefix
    /// and suffix). It parses the same when the tokens on each side of the region line up: in
    /// trivia, the tokens around it are the same tokens at the same (shifted) places; in a body,
    /// the body's braces and every enclosing declaration keep their places, and the region holds
    /// no directive that could change how the rest of the file is read.
    /// </remarks>
    internal sealed class TreeEdit
    {
        // Members the compiler calls without their name being written where they are called:
        // foreach, using, await, collection initializers, deconstruction, query expressions,
        // interpolated string handlers, fixed, index and list patterns, records, lock. A body edit in
        // one of these may change what a body that never spells its name calls.
        private static readonly HashSet<string> s_implicitlyCalled = new HashSet<string>(System.StringComparer.Ordinal)
        {
            "GetEnumerator", "GetAsyncEnumerator", "MoveNext", "MoveNextAsync", "Current", "Dispose", "DisposeAsync",
            "GetAwaiter", "GetResult", "IsCompleted", "OnCompleted", "UnsafeOnCompleted", "Add", "Deconstruct",
            "Select", "SelectMany", "Where", "Join", "GroupJoin", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "GroupBy", "Cast",
            "AppendLiteral", "AppendFormatted", "GetPinnableReference", "Length", "Count", "Slice", "Item",
            "Equals", "GetHashCode", "ToString", "PrintMembers", "EqualityContract", "Clone", "Finalize", "EnterScope", "Enter", "Exit", "Invoke",
        };

        private TreeEdit(int start, int oldEnd, int newEnd, bool linesMoved)
        {
            Start = start;
            OldEnd = oldEnd;
            NewEnd = newEnd;
            LinesMoved = linesMoved;
        }

        /// <summary>Where the two versions start to differ.</summary>
        internal int Start { get; }

        /// <summary>Where the changed region ends in the old version.</summary>
        internal int OldEnd { get; }

        /// <summary>Where the changed region ends in the new version.</summary>
        internal int NewEnd { get; }

        /// <summary>Whether text after the region is on other lines than before (a message quoting a line number would be stale).</summary>
        internal bool LinesMoved { get; }

        /// <summary>The edited body's declaration in the new version, or null for an edit of comments and white space.</summary>
        internal SyntaxNode? EditedBody { get; private set; }

        /// <summary>
        /// The names a body must spell to call the edited body's method (its own name, an accessor's
        /// property), or null when its callers need not spell it (a constructor, an operator, an
        /// indexer, an initializer, a member the compiler calls implicitly). Empty for a trivia edit.
        /// </summary>
        internal HashSet<string>? CalledAs { get; private set; } = new HashSet<string>(System.StringComparer.Ordinal);

        /// <summary>Every identifier the edited body spelled before or spells now: the methods it may have started or stopped calling.</summary>
        internal HashSet<string> EditedBodySpells { get; } = new HashSet<string>(System.StringComparer.Ordinal);

        /// <summary>The span <paramref name="newSpan"/> of the new version had in the old one, or null when it overlaps the region.</summary>
        internal TextSpan? ToOld(TextSpan newSpan) =>
            newSpan.End <= Start ? newSpan
            : newSpan.Start >= NewEnd ? new TextSpan(newSpan.Start - NewEnd + OldEnd, newSpan.Length)
            : null;

        /// <summary>The span <paramref name="oldSpan"/> of the old version has in the new one, or null when it overlaps the region.</summary>
        internal TextSpan? ToNew(TextSpan oldSpan) =>
            oldSpan.End <= Start ? oldSpan
            : oldSpan.Start >= OldEnd ? new TextSpan(oldSpan.Start - OldEnd + NewEnd, oldSpan.Length)
            : null;

        /// <summary>The edit between two versions of a document, when it is one results may be reused across; otherwise null.</summary>
        internal static TreeEdit? Between(SyntaxTree oldTree, SyntaxTree newTree, System.Threading.CancellationToken cancellationToken)
        {
            if (!oldTree.Options.Equals(newTree.Options) || oldTree.FilePath != newTree.FilePath)
            {
                return null;
            }

            var oldText = oldTree.GetText(cancellationToken);
            var newText = newTree.GetText(cancellationToken);
            var (start, oldEnd, newEnd) = ChangedRegion(oldText, newText);
            var edit = new TreeEdit(start, oldEnd, newEnd, oldText.Lines.Count != newText.Lines.Count);
            if (start == oldEnd && start == newEnd)
            {
                return edit;
            }

            var oldRoot = oldTree.GetRoot(cancellationToken);
            var newRoot = newTree.GetRoot(cancellationToken);
            if (InTrivia(oldRoot, start, oldEnd, newRoot, newEnd))
            {
                return edit;
            }

            if (Contains(oldText, start, oldEnd, '#') || Contains(newText, start, newEnd, '#')
                || EnclosingBody(oldRoot, start, oldEnd) is not { } oldBody || EnclosingBody(newRoot, start, newEnd) is not { } newBody
                || !SamePlaces(oldBody, newBody, start, newEnd - oldEnd))
            {
                return null;
            }

            edit.EditedBody = newBody;
            edit.CalledAs = NamesCalledBy(newBody);
            edit.EditedBodySpells.UnionWith(BodySummary.OfTokens(oldBody).Identifiers);
            edit.EditedBodySpells.UnionWith(BodySummary.OfTokens(newBody).Identifiers);
            return edit;
        }

        /// <summary>
        /// The region between the two texts' common prefix and suffix, in each: the changes the
        /// new text was made with when it was made from the old one (an editor's keystroke), else
        /// by comparing them.
        /// </summary>
        private static (int Start, int OldEnd, int NewEnd) ChangedRegion(SourceText oldText, SourceText newText)
        {
            var changes = newText.GetChangeRanges(oldText);
            if (changes.Count > 0 && !(changes.Count == 1 && changes[0].Span.Length == oldText.Length && changes[0].NewLength == newText.Length))
            {
                var first = changes[0].Span.Start;
                var oldEnd = changes[changes.Count - 1].Span.End;
                var delta = 0;
                foreach (var change in changes)
                {
                    delta += change.NewLength - change.Span.Length;
                }

                return (first, oldEnd, oldEnd + delta);
            }

            if (changes.Count == 0)
            {
                return (oldText.Length, oldText.Length, newText.Length);
            }

            var oldChars = oldText.ToString();
            var newChars = newText.ToString();
            var shorter = System.Math.Min(oldChars.Length, newChars.Length);
            var start = 0;
            while (start < shorter && oldChars[start] == newChars[start])
            {
                start++;
            }

            var suffix = 0;
            while (suffix < shorter - start && oldChars[oldChars.Length - 1 - suffix] == newChars[newChars.Length - 1 - suffix])
            {
                suffix++;
            }

            return (start, oldChars.Length - suffix, newChars.Length - suffix);
        }

        private static bool Contains(SourceText text, int start, int end, char c)
        {
            for (var i = start; i < end; i++)
            {
                if (text[i] == c)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether the region lies in comments and white space in both versions, between the same
        /// two tokens: the token before it ends where it ended, the token after it starts where it
        /// started (shifted), and both are of the same kinds.
        /// </summary>
        private static bool InTrivia(SyntaxNode oldRoot, int start, int oldEnd, SyntaxNode newRoot, int newEnd)
        {
            var delta = newEnd - oldEnd;
            if (!Around(oldRoot, start, oldEnd, out var oldBefore, out var oldAfter) || !Around(newRoot, start, newEnd, out var newBefore, out var newAfter))
            {
                return false;
            }

            // Tokens the parser joins when nothing lies between them (`> >` in a shift, `?` `.`).
            if (oldBefore.IsKind(SyntaxKind.GreaterThanToken) || oldBefore.IsKind(SyntaxKind.QuestionToken))
            {
                return false;
            }

            return oldBefore.RawKind == newBefore.RawKind && oldBefore.Span == newBefore.Span
                && oldAfter.RawKind == newAfter.RawKind && oldAfter.SpanStart + delta == newAfter.SpanStart && oldAfter.Span.Length == newAfter.Span.Length;
        }

        /// <summary>The tokens on each side of a region that lies in plain trivia (white space, line ends, comments).</summary>
        private static bool Around(SyntaxNode root, int start, int end, out SyntaxToken before, out SyntaxToken after)
        {
            after = root.FindToken(start);
            if (after.SpanStart < start)
            {
                // The region starts in the token's trailing trivia (or inside the token itself).
                if (after.Span.End > start)
                {
                    before = default;
                    return false;
                }

                before = after;
                after = after.GetNextToken(includeZeroWidth: true, includeSkipped: true, includeDirectives: true, includeDocumentationComments: true);
                if (after.RawKind == 0)
                {
                    after = root.GetLastToken(includeZeroWidth: true, includeSkipped: true, includeDirectives: true, includeDocumentationComments: true);
                }
            }
            else
            {
                before = after.GetPreviousToken(includeZeroWidth: true, includeSkipped: true, includeDirectives: true, includeDocumentationComments: true);
            }

            if (after.SpanStart < end && !(after.IsKind(SyntaxKind.EndOfFileToken) && after.SpanStart == end))
            {
                return false;
            }

            foreach (var trivia in before.TrailingTrivia)
            {
                if (trivia.FullSpan.End > start && trivia.FullSpan.Start < end && !IsPlain(trivia))
                {
                    return false;
                }
            }

            foreach (var trivia in after.LeadingTrivia)
            {
                if (trivia.FullSpan.End > start && trivia.FullSpan.Start < end && !IsPlain(trivia))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsPlain(SyntaxTrivia trivia) =>
            trivia.IsKind(SyntaxKind.WhitespaceTrivia) || trivia.IsKind(SyntaxKind.EndOfLineTrivia)
            || trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia);

        /// <summary>The member whose body holds the whole region strictly between its braces (or its arrow and semicolon).</summary>
        private static SyntaxNode? EnclosingBody(SyntaxNode root, int start, int end)
        {
            for (var node = root.FindToken(start).Parent; node is not null; node = node.Parent)
            {
                var (open, close) = node switch
                {
                    BaseMethodDeclarationSyntax { Body: { } body } => (body.OpenBraceToken, body.CloseBraceToken),
                    BaseMethodDeclarationSyntax { ExpressionBody: { } arrow } method => (arrow.ArrowToken, method.SemicolonToken),
                    AccessorDeclarationSyntax { Body: { } body } => (body.OpenBraceToken, body.CloseBraceToken),
                    AccessorDeclarationSyntax { ExpressionBody: { } arrow } accessor => (arrow.ArrowToken, accessor.SemicolonToken),
                    PropertyDeclarationSyntax { ExpressionBody: { } arrow } property => (arrow.ArrowToken, property.SemicolonToken),
                    _ => (default(SyntaxToken), default(SyntaxToken)),
                };
                if (open.RawKind == 0)
                {
                    if (node is MemberDeclarationSyntax and not BaseMethodDeclarationSyntax and not BasePropertyDeclarationSyntax)
                    {
                        // A type, a field, a namespace: the region is not in a body.
                        return null;
                    }

                    continue;
                }

                return !open.IsMissing && !close.IsMissing && open.Span.End <= start && end <= close.SpanStart ? node : null;
            }

            return null;
        }

        /// <summary>The two versions of the body, and every declaration around them, start where they did and end where they did (shifted).</summary>
        private static bool SamePlaces(SyntaxNode oldBody, SyntaxNode newBody, int start, int delta)
        {
            SyntaxNode? oldNode = oldBody;
            SyntaxNode? newNode = newBody;
            while (oldNode is not null && newNode is not null)
            {
                if (oldNode.RawKind != newNode.RawKind || oldNode.SpanStart != newNode.SpanStart || oldNode.SpanStart > start
                    || oldNode.Span.End + delta != newNode.Span.End || oldNode.FullSpan.End + delta != newNode.FullSpan.End
                    || oldNode.ChildNodes().Count() != newNode.ChildNodes().Count())
                {
                    return false;
                }

                oldNode = oldNode.Parent;
                newNode = newNode.Parent;
            }

            return oldNode is null && newNode is null;
        }

        /// <summary>See <see cref="CalledAs"/>.</summary>
        private static HashSet<string>? NamesCalledBy(SyntaxNode body)
        {
            var name = NameItsCallersSpell(body);
            return name is null || s_implicitlyCalled.Contains(name) ? null : new HashSet<string>(System.StringComparer.Ordinal) { name };
        }

        /// <summary>
        /// The name a call to this declaration's member spells: a method's own, an accessor's (or an
        /// arrow property's) property or event; null for a member its callers need not name (a
        /// constructor, an operator, an indexer, an initializer).
        /// </summary>
        internal static string? NameItsCallersSpell(SyntaxNode declaration) => declaration switch
        {
            MethodDeclarationSyntax method => method.Identifier.ValueText,
            AccessorDeclarationSyntax { Parent.Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
            AccessorDeclarationSyntax { Parent.Parent: EventDeclarationSyntax @event } => @event.Identifier.ValueText,
            PropertyDeclarationSyntax property => property.Identifier.ValueText,
            _ => null,
        };
    }
}
