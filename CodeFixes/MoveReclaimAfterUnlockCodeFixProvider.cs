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
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;
using Microsoft.CodeAnalysis.Operations;

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

        public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
            FixRegistration.RegisterAsync(context, "Move the reclaim after the lock is released", EquivalenceKey, FixAsync);

        private static async Task<Document?> FixAsync(Document document, SyntaxNode reported, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (reported.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { Parent: ExpressionStatementSyntax statement })
            {
                return null;
            }

            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (model is null || await FixRoles.ForAsync(document, cancellationToken).ConfigureAwait(false) is not { } roles)
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

            if (FindReleasePoint(unit, model, roles, cancellationToken) is not { } target || target.Parent is not BlockSyntax targetBlock)
            {
                return null;
            }

            // The statement of the target's block that holds the unit (the unit itself when they are siblings).
            var container = targetBlock.Statements.First(s => s.Span.Contains(unit.Span));
            var reclaimCall = model.GetSymbolInfo(statement.Expression, cancellationToken).Symbol as IMethodSymbol;
            target = PastMovedReclaims(target, targetBlock, reclaimCall, model, roles, cancellationToken);
            if (LeavesBetween(unit, container, target, targetBlock))
            {
                // A return, throw, goto, break or continue between the reclaim and the release:
                // after the move, the reclaim would no longer run on that way out.
                return null;
            }

            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var reclaim = statement.WithoutTrivia();
            if (condition is null && !ReachedWheneverTheContainerIs(unit, container))
            {
                // The reclaim sits inside a block it does not guard alone (an if with other
                // statements, an else, a try): it ran only when control reached it, so record
                // that under the lock and test it after the release.
                var reached = UniqueName(model, unit.SpanStart);
                editor.InsertBefore(container, StatementEdits.OnItsOwnLine(SyntaxFactory.ParseStatement($"bool {reached} = false;"), statement));
                editor.ReplaceNode(unit, SyntaxFactory.ParseStatement($"{reached} = true;").WithTriviaFrom(unit).WithAdditionalAnnotations(Formatter.Annotation));
                editor.InsertAfter(target, StatementEdits.OnItsOwnLine(SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName(reached), reclaim), statement));
                return editor.GetChangedDocument();
            }

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
        /// Whether the unit runs whenever its container does: nothing between them chooses (only
        /// blocks, and the body of a lock, using, fixed, checked or unsafe statement, or of a try).
        /// </summary>
        private static bool ReachedWheneverTheContainerIs(StatementSyntax unit, StatementSyntax container)
        {
            if (ReferenceEquals(unit, container))
            {
                return true;
            }

            for (var node = unit.Parent; node is not null; node = node.Parent)
            {
                switch (node)
                {
                    case BlockSyntax or LockStatementSyntax or UsingStatementSyntax or FixedStatementSyntax or CheckedStatementSyntax or UnsafeStatementSyntax:
                    case TryStatementSyntax:
                        break;
                    default:
                        return false;
                }

                if (node == container)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether control can leave between the unit and the release point other than by
        /// reaching the release: a jump after the unit inside its container, or in the statements
        /// between the container and the release (nested lambdas and local functions aside).
        /// </summary>
        private static bool LeavesBetween(StatementSyntax unit, StatementSyntax container, StatementSyntax target, BlockSyntax targetBlock)
        {
            static bool IsJump(SyntaxNode node) =>
                node is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax or GotoStatementSyntax
                    or BreakStatementSyntax or ContinueStatementSyntax or YieldStatementSyntax { RawKind: (int)SyntaxKind.YieldBreakStatement };

            static bool NotNested(SyntaxNode node) => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);

            if (container.DescendantNodes(NotNested).Any(node => node.SpanStart >= unit.Span.End && IsJump(node)))
            {
                return true;
            }

            // The release point itself too: `if (done) { KVM_MMU_UNLOCK(kvm); return; }` releases, then leaves.
            var from = targetBlock.Statements.IndexOf(container);
            var to = ReferenceEquals(target, container) ? from : targetBlock.Statements.IndexOf(target);
            for (var i = from + 1; i <= to; i++)
            {
                if (IsJump(targetBlock.Statements[i]) || targetBlock.Statements[i].DescendantNodes(NotNested).Any(IsJump))
                {
                    return true;
                }
            }

            return false;
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
        private static StatementSyntax PastMovedReclaims(StatementSyntax target, BlockSyntax block, IMethodSymbol? reclaim, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
        {
            var index = block.Statements.IndexOf(target);
            while (index + 1 < block.Statements.Count && IsReclaimUnit(block.Statements[index + 1], reclaim, model, roles, cancellationToken))
            {
                index++;
            }

            return block.Statements[index];
        }

        /// <summary>A reclaim call statement, alone or under an <c>if</c> without else: the shape this fix moves.</summary>
        private static bool IsReclaimUnit(StatementSyntax statement, IMethodSymbol? reclaim, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
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
                    || !roles.Summaries.ReclaimChainOf(method).IsEmpty);
        }

        /// <summary>
        /// The statement after which the lock is no longer held: a later sibling that unlocks, or
        /// an enclosing lock/using/try-finally that releases. Null when the way out crosses a
        /// loop, a lambda, a switch section or the method's end.
        /// </summary>
        private static StatementSyntax? FindReleasePoint(StatementSyntax unit, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
        {
            SyntaxNode node = unit;
            while (node.Parent is { } parent)
            {
                switch (parent)
                {
                    case BlockSyntax block:
                        {
                            var index = block.Statements.IndexOf((StatementSyntax)node);
                            if (block.Statements.Take(index).Any(s => s is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } declaration && AcquiresGuard(declaration.Declaration.Variables, model, roles, cancellationToken)))
                            {
                                // A using declaration on the lock releases at the end of this block.
                                return block.Parent is BlockSyntax ? block : null;
                            }

                            foreach (var following in block.Statements.Skip(index + 1))
                            {
                                if (Releases(following, model, roles, cancellationToken))
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

                    case LockStatementSyntax lockStatement when IsLock(lockStatement.Expression, model, roles, cancellationToken):
                        return lockStatement;
                    case UsingStatementSyntax usingStatement when usingStatement.Expression is { } resource && IsGuardAcquisition(resource, model, roles, cancellationToken):
                        return usingStatement;
                    case UsingStatementSyntax usingStatement when usingStatement.Declaration is { } declaration && AcquiresGuard(declaration.Variables, model, roles, cancellationToken):
                        return usingStatement;
                    case TryStatementSyntax tryStatement when node == tryStatement.Block && tryStatement.Finally is { } @finally && Releases(@finally.Block, model, roles, cancellationToken):
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

        private static bool AcquiresGuard(SeparatedSyntaxList<VariableDeclaratorSyntax> variables, SemanticModel model, RoleView roles, CancellationToken cancellationToken) =>
            variables.Any(v => v.Initializer?.Value is { } value && IsGuardAcquisition(value, model, roles, cancellationToken));

        /// <summary>
        /// A lock guard's making: a call that returns one (<c>kvm.MmuLock.Write()</c>, a helper), or
        /// a port's own guard (<c>new ScopedWriteLock(kvm)</c>, whose constructor takes the lock and
        /// whose Dispose drops it), as the analyzer reads them.
        /// </summary>
        private static bool IsGuardAcquisition(ExpressionSyntax resource, SemanticModel model, RoleView roles, CancellationToken cancellationToken) => resource switch
        {
            InvocationExpressionSyntax call => LockEffectOf(call, model, roles, cancellationToken) == LockEffect.GuardAcquire,
            BaseObjectCreationExpressionSyntax => model.GetOperation(resource, cancellationToken) is IObjectCreationOperation creation && roles.Summaries.MakesALockGuard(creation),
            _ => false,
        };

        /// <summary>True when the statement contains a call that drops mmu_lock, as the analyzer reads it (a lock form, or a helper that drops it on every path).</summary>
        private static bool Releases(SyntaxNode statement, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
        {
            foreach (var call in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
            {
                if (LockEffectOf(call, model, roles, cancellationToken) == LockEffect.Release)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>What the call does to mmu_lock by its form, or through the summary of a helper of the compilation.</summary>
        private static LockEffect LockEffectOf(InvocationExpressionSyntax call, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
        {
            if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation)
            {
                return LockEffect.None;
            }

            var effect = LockOperations.Classify(invocation, roles.Roles);
            if (effect == LockEffect.None)
            {
                effect = roles.Summaries.LockEffectOf(invocation.TargetMethod);
            }

            // guard_write_lock(kvm.mmu_lock), unlock_it(kvm.mmu_lock): a helper of the lock it is given.
            return effect == LockEffect.None && roles.Summaries.LockedArgument(invocation.TargetMethod, invocation.Arguments, roles.Roles.IsLockMemberReference) is { } locked
                ? locked.Effect
                : effect;
        }

        /// <summary>kvm->mmu_lock, as the analyzers recognise it (names, [MmuLock], gfnguard.mmu_lock_members).</summary>
        private static bool IsLock(ExpressionSyntax expression, SemanticModel model, RoleView roles, CancellationToken cancellationToken)
        {
            while (expression is ParenthesizedExpressionSyntax or RefExpressionSyntax)
            {
                expression = expression is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((RefExpressionSyntax)expression).Expression;
            }

            return model.GetOperation(expression, cancellationToken) is { } operation && roles.Roles.IsLockMemberReference(operation);
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
