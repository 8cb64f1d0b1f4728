using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// KVM0003 fix: move the reclaim statement (with its <c>if</c>, when it has one) past the
    /// point where the lock is released: the next statement that unlocks, or the end of the
    /// <c>lock</c> block, <c>using</c> scope or <c>try</c> whose <c>finally</c> unlocks. A
    /// condition that would leave its scope is captured in a local under the lock.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveReclaimAfterUnlockCodeFixProvider))]
    [Shared]
    public sealed class MoveReclaimAfterUnlockCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "KVM0003:MoveAfterUnlock";
        private const string CapturedName = "reclaimGuestMemory";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ReclaimUnderMmuLock);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = await SequentialFixAll.ReportedNodeAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null || await FixAsync(context.Document, node, diagnostic, context.CancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                var document = context.Document;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Move the reclaim after the lock is released",
                        async cancellationToken => await FixAsync(document, (await SequentialFixAll.ReportedNodeAsync(document, diagnostic, cancellationToken).ConfigureAwait(false))!, diagnostic, cancellationToken).ConfigureAwait(false) ?? document,
                        EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document?> FixAsync(Document document, SyntaxNode reported, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (reported.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { Parent: ExpressionStatementSyntax statement })
            {
                return null;
            }

            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return null;
            }

            // The unit that moves: the statement, or the if (without else) that guards only it.
            StatementSyntax unit = statement;
            ExpressionSyntax? condition = null;
            if (statement.Parent is IfStatementSyntax { Else: null } directIf)
            {
                unit = directIf;
                condition = directIf.Condition;
            }
            else if (statement.Parent is BlockSyntax { Statements.Count: 1, Parent: IfStatementSyntax { Else: null } blockIf })
            {
                unit = blockIf;
                condition = blockIf.Condition;
            }

            if (FindReleasePoint(unit, model, cancellationToken) is not { } target || target.Parent is not BlockSyntax targetBlock)
            {
                return null;
            }

            // The statement of the target's block that holds the unit (the unit itself when they are siblings).
            var container = targetBlock.Statements.First(s => s.Span.Contains(unit.Span));
            var reclaimCall = model.GetSymbolInfo(statement.Expression, cancellationToken).Symbol as IMethodSymbol;
            target = PastMovedReclaims(target, targetBlock, reclaimCall, model, cancellationToken);
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var reclaim = statement.WithoutTrivia();
            if (condition is null || (ReferenceEquals(container, unit) && IsStable(condition, model, cancellationToken)))
            {
                RemoveClosingTheGap(editor, unit);
                editor.InsertAfter(target, Moved(unit));
                return editor.GetChangedDocument();
            }

            // Capture the condition under the lock, test it after the release.
            var name = UniqueName(model, unit.SpanStart);
            var moved = StatementEdits.OnItsOwnLine(SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName(name), reclaim), statement);
            if (ReferenceEquals(container, unit))
            {
                editor.ReplaceNode(unit, SyntaxFactory.ParseStatement($"bool {name} = {condition.WithoutTrivia()};").WithTriviaFrom(unit).WithAdditionalAnnotations(Formatter.Annotation));
            }
            else
            {
                editor.InsertBefore(container, StatementEdits.OnItsOwnLine(SyntaxFactory.ParseStatement($"bool {name} = false;"), statement));
                editor.ReplaceNode(unit, SyntaxFactory.ParseStatement($"{name} = {condition.WithoutTrivia()};").WithTriviaFrom(unit).WithAdditionalAnnotations(Formatter.Annotation));
            }

            editor.InsertAfter(target, moved);
            return editor.GetChangedDocument();
        }

        /// <summary>
        /// Removes the unit; the statement after it takes its place (and its leading trivia), so
        /// no blank line is left where the unit was.
        /// </summary>
        private static void RemoveClosingTheGap(DocumentEditor editor, StatementSyntax unit)
        {
            if (unit.Parent is BlockSyntax block && block.Statements.IndexOf(unit) is var index && index + 1 < block.Statements.Count)
            {
                var next = block.Statements[index + 1];
                if (next.GetLeadingTrivia().All(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia)))
                {
                    // The unit's own first-line indentation: its comments move with it, blank lines go.
                    var unitLeading = unit.GetLeadingTrivia();
                    var lastLineBreak = unitLeading.Select((t, i) => t.IsKind(SyntaxKind.EndOfLineTrivia) ? i : -1).DefaultIfEmpty(-1).Max();
                    var indentation = unitLeading.Skip(lastLineBreak + 1).ToList();
                    editor.ReplaceNode(next, (current, _) => current.WithLeadingTrivia(indentation));
                }
            }

            editor.RemoveNode(unit, SyntaxRemoveOptions.KeepNoTrivia);
        }

        /// <summary>The unit on its own line after the release, with the comments above it.</summary>
        private static StatementSyntax Moved(StatementSyntax unit)
        {
            var comments = unit.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
            var placed = StatementEdits.OnItsOwnLine(unit.WithoutTrivia(), unit);
            return comments ? placed.WithLeadingTrivia(unit.GetLeadingTrivia()) : placed;
        }

        /// <summary>
        /// The release point, or the last of the reclaims already moved just after it: fixing one
        /// at a time then keeps the reclaims in source order, as Fix All does.
        /// </summary>
        private static StatementSyntax PastMovedReclaims(StatementSyntax target, BlockSyntax block, IMethodSymbol? reclaim, SemanticModel model, CancellationToken cancellationToken)
        {
            var index = block.Statements.IndexOf(target);
            while (index + 1 < block.Statements.Count && IsReclaimUnit(block.Statements[index + 1], reclaim, model, cancellationToken))
            {
                index++;
            }

            return block.Statements[index];
        }

        /// <summary>A reclaim call statement, alone or under an <c>if</c> without else: the shape this fix moves.</summary>
        private static bool IsReclaimUnit(StatementSyntax statement, IMethodSymbol? reclaim, SemanticModel model, CancellationToken cancellationToken)
        {
            var inner = statement switch
            {
                IfStatementSyntax { Else: null, Statement: BlockSyntax { Statements.Count: 1 } block } => block.Statements[0],
                IfStatementSyntax { Else: null } ifStatement => ifStatement.Statement,
                _ => statement,
            };

            return inner is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call }
                && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method
                && (SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, reclaim?.OriginalDefinition)
                    || KnownNames.ReclaimMethods.Contains(method.Name)
                    || Roles.HasAttribute(method, KnownNames.ReclaimsGuestMemoryAttribute));
        }

        /// <summary>
        /// The statement after which the lock is no longer held: a later sibling that unlocks, or
        /// an enclosing lock/using/try-finally that releases. Null when the way out crosses a
        /// loop, a lambda, a switch section or the method's end.
        /// </summary>
        private static StatementSyntax? FindReleasePoint(StatementSyntax unit, SemanticModel model, CancellationToken cancellationToken)
        {
            SyntaxNode node = unit;
            while (node.Parent is { } parent)
            {
                switch (parent)
                {
                    case BlockSyntax block:
                        {
                            var index = block.Statements.IndexOf((StatementSyntax)node);
                            if (block.Statements.Take(index).Any(s => s is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } declaration && AcquiresGuard(declaration.Declaration.Variables, model, cancellationToken)))
                            {
                                // A using declaration on the lock releases at the end of this block.
                                return block.Parent is BlockSyntax ? block : null;
                            }

                            foreach (var following in block.Statements.Skip(index + 1))
                            {
                                if (Releases(following, model, cancellationToken))
                                {
                                    return following;
                                }
                            }

                            if (block.Parent is not (BlockSyntax or IfStatementSyntax or ElseClauseSyntax or TryStatementSyntax or LockStatementSyntax or UsingStatementSyntax or FixedStatementSyntax or CheckedStatementSyntax or UnsafeStatementSyntax))
                            {
                                return null;
                            }

                            node = block;
                            continue;
                        }

                    case LockStatementSyntax lockStatement when IsLock(lockStatement.Expression, model, cancellationToken):
                        return lockStatement;
                    case UsingStatementSyntax usingStatement when usingStatement.Expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } && IsLock(access.Expression, model, cancellationToken):
                        return usingStatement;
                    case UsingStatementSyntax usingStatement when usingStatement.Declaration is { } declaration && AcquiresGuard(declaration.Variables, model, cancellationToken):
                        return usingStatement;
                    case TryStatementSyntax tryStatement when node == tryStatement.Block && tryStatement.Finally is { } @finally && Releases(@finally.Block, model, cancellationToken):
                        return tryStatement;
                    case IfStatementSyntax or ElseClauseSyntax or TryStatementSyntax or LockStatementSyntax or UsingStatementSyntax or LabeledStatementSyntax:
                        node = parent;
                        continue;
                    default:
                        return null;
                }
            }

            return null;
        }

        private static bool AcquiresGuard(SeparatedSyntaxList<VariableDeclaratorSyntax> variables, SemanticModel model, CancellationToken cancellationToken) =>
            variables.Any(v => v.Initializer?.Value is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } && IsLock(access.Expression, model, cancellationToken));

        /// <summary>True when the statement contains a call that drops mmu_lock.</summary>
        private static bool Releases(SyntaxNode statement, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var call in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol method)
                {
                    continue;
                }

                var name = method.Name;
                var onLock = call.Expression is MemberAccessExpressionSyntax access && IsLock(access.Expression, model, cancellationToken);
                var lockArgument = call.ArgumentList.Arguments.Any(a => IsLock(a.Expression, model, cancellationToken));
                if (KnownNames.ReleaseMacros.Contains(name)
                    || Roles.HasAttribute(method, KnownNames.ReleasesMmuLockAttribute)
                    || (lockArgument && (KnownNames.ReleaseFunctions.Contains(name) || (name == "Exit" && method.ContainingType.Name == "Monitor")))
                    || (onLock && name.StartsWith("Exit", System.StringComparison.Ordinal) && name.EndsWith("Lock", System.StringComparison.Ordinal)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>kvm->mmu_lock by the names and attribute the analyzers know.</summary>
        private static bool IsLock(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
        {
            while (expression is PrefixUnaryExpressionSyntax or ParenthesizedExpressionSyntax or RefExpressionSyntax)
            {
                expression = expression switch
                {
                    PrefixUnaryExpressionSyntax prefix => prefix.Operand,
                    ParenthesizedExpressionSyntax parenthesized => parenthesized.Expression,
                    RefExpressionSyntax reference => reference.Expression,
                    _ => expression,
                };
            }

            return model.GetSymbolInfo(expression, cancellationToken).Symbol is IFieldSymbol or IPropertySymbol
                && model.GetSymbolInfo(expression, cancellationToken).Symbol is { } member
                && (KnownNames.MmuLockMembers.Contains(member.Name) || Roles.HasAttribute(member, KnownNames.MmuLockAttribute));
        }

        /// <summary>A condition that means the same after the release: a literal, a parameter, or a local.</summary>
        private static bool IsStable(ExpressionSyntax condition, SemanticModel model, CancellationToken cancellationToken) =>
            condition is LiteralExpressionSyntax
            || (condition is IdentifierNameSyntax && model.GetSymbolInfo(condition, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol);

        private static string UniqueName(SemanticModel model, int position)
        {
            var name = CapturedName;
            for (var i = 2; model.LookupSymbols(position, name: name).Any(); i++)
            {
                name = CapturedName + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return name;
        }
    }
}
