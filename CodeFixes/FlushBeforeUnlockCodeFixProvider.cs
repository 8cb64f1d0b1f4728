using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Analyzers.Rules;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// KVM0006 fix: insert <c>if (flag) kvm_flush_remote_tlbs(kvm);</c> just before the release
    /// (SPEC section 4), with the bool that holds the zap's result, the port's own flush method
    /// and the lock's owner. For a <c>lock</c> or <c>using</c> block, at the end of the block.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FlushBeforeUnlockCodeFixProvider))]
    [Shared]
    public sealed class FlushBeforeUnlockCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "KVM0006:FlushBeforeUnlock";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.FlushBeforeUnlock);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
            FixRegistration.RegisterAsync(context, "Flush the TLBs before releasing mmu_lock", EquivalenceKey, FixAsync);

        private static async Task<Document?> FixAsync(Document document, SyntaxNode reported, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var flag = diagnostic.Properties.TryGetValue(FlushBeforeUnlockAnalyzer.FlagProperty, out var held) ? held : null;
            var discarded = diagnostic.Properties.ContainsKey(FlushBeforeUnlockAnalyzer.DiscardedProperty);
            if ((flag is null && !discarded)
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
                || await FixRoles.ForAsync(document, cancellationToken).ConfigureAwait(false) is not { } roles
                || ReleaseOf(reported) is not { Owner: { } owner } release)
            {
                return null;
            }

            return flag is not null
                ? await FlushBeforeTheReleaseAsync(document, model, roles, reported, release.Before, release.EndOf, owner, flag, cancellationToken).ConfigureAwait(false)
                : await FlushAfterEachZapAsync(document, model, roles, diagnostic, owner, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Where the flush goes for a kept result: before the release statement, or at the end of the
        /// lock/using block; and the VM whose lock is released (null when it cannot be named).
        /// </summary>
        private static (StatementSyntax? Before, BlockSyntax? EndOf, ExpressionSyntax? Owner)? ReleaseOf(SyntaxNode reported)
        {
            switch (reported)
            {
                case BlockSyntax { Parent: LockStatementSyntax lockStatement } block:
                    return (null, block, OwnerOfLock(lockStatement.Expression));
                case BlockSyntax { Parent: UsingStatementSyntax { Expression: InvocationExpressionSyntax guard } } block:
                    return (null, block, guard.Expression is MemberAccessExpressionSyntax { Expression: var lockExpression } ? OwnerOfLock(lockExpression) : FirstArgument(guard.ArgumentList));
                case BlockSyntax { Parent: UsingStatementSyntax { Expression: BaseObjectCreationExpressionSyntax guard } } block:
                    // A port's own guard, given the VM whose lock it takes: new ScopedWriteLock(kvm).
                    return (null, block, FirstArgument(guard.ArgumentList));
                default:
                    return reported.FirstAncestorOrSelf<InvocationExpressionSyntax>() is { Parent: ExpressionStatementSyntax statement } release
                        ? (statement, null, OwnerOfRelease(release))
                        : null;
            }
        }

        /// <summary>SPEC section 4: <c>if (flag) kvm_flush_remote_tlbs(kvm);</c> just before the release.</summary>
        private static async Task<Document?> FlushBeforeTheReleaseAsync(
            Document document,
            SemanticModel model,
            RoleView roles,
            SyntaxNode reported,
            StatementSyntax? before,
            BlockSyntax? endOf,
            ExpressionSyntax owner,
            string flag,
            CancellationToken cancellationToken)
        {
            if (endOf is not null && endOf.Statements.LastOrDefault() is ReturnStatementSyntax or ThrowStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax)
            {
                return null;
            }

            // At the end of a block, bound where its last statement ends: the closing brace is
            // bound outside the block, where a flag declared in it is not in scope.
            var position = before?.SpanStart
                ?? (endOf!.Statements.Count > 0 ? endOf.Statements[endOf.Statements.Count - 1].GetLastToken().SpanStart : endOf.CloseBraceToken.SpanStart);
            if (FlushCall(model, roles, owner, position, reported.SyntaxTree, cancellationToken) is not { } flush
                || SyntaxFactory.ParseExpression(flag) is not { } condition
                || model.GetSpeculativeTypeInfo(position, condition, SpeculativeBindingOption.BindAsExpression).Type?.SpecialType != SpecialType.System_Boolean)
            {
                return null;
            }

            var inserted = SyntaxFactory.IfStatement(condition, SyntaxFactory.ExpressionStatement(flush));
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            if (before is not null)
            {
                StatementEdits.InsertBefore(editor, before, new StatementSyntax[] { inserted });
            }
            else
            {
                editor.ReplaceNode(endOf!, endOf!.AddStatements(StatementEdits.OnItsOwnLine<StatementSyntax>(inserted, endOf)));
            }

            return editor.GetChangedDocument();
        }

        /// <summary>
        /// A zap whose result is discarded has no flag to test before the release: the fix tests the
        /// call itself, <c>kvm_unmap_gfn_range(kvm, ref range);</c> becoming
        /// <c>if (kvm_unmap_gfn_range(kvm, ref range)) kvm_flush_remote_tlbs(kvm);</c>. The zap runs
        /// where and when it ran, and the flush follows it while the lock is still held.
        /// </summary>
        private static async Task<Document?> FlushAfterEachZapAsync(Document document, SemanticModel model, RoleView roles, Diagnostic diagnostic, ExpressionSyntax owner, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || diagnostic.AdditionalLocations.Count == 0)
            {
                return null;
            }

            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            foreach (var location in diagnostic.AdditionalLocations)
            {
                // The zap the report points at, in this document (a Fix All's copy of the reported
                // text has its own tree): the same span holds the same call.
                if (location.SourceTree is not { } reportedTree
                    || location.SourceSpan.End > root.FullSpan.End
                    || root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } zap
                    || zap.Span != location.SourceSpan
                    || zap.ToString() != reportedTree.GetText(cancellationToken).ToString(location.SourceSpan)
                    || DiscardingStatement(zap) is not { } statement
                    || FlushCall(model, roles, owner, statement.SpanStart, root.SyntaxTree, cancellationToken) is not { } flush)
                {
                    return null;
                }

                StatementSyntax tested = SyntaxFactory.IfStatement(zap.WithoutTrivia(), SyntaxFactory.ExpressionStatement(flush))
                    .WithTriviaFrom(statement)
                    .WithAdditionalAnnotations(Formatter.Annotation);

                // An embedded statement (`if (c) zap(...); else ...`) gets braces: a bare inner if would take the else.
                if (statement.Parent is not (BlockSyntax or SwitchSectionSyntax))
                {
                    tested = SyntaxFactory.Block(tested.WithoutTrivia()).WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation);
                }

                editor.ReplaceNode(statement, tested);
            }

            return editor.GetChangedDocument();
        }

        /// <summary>The statement that discards the zap's result: <c>zap(...);</c> or <c>_ = zap(...);</c>.</summary>
        private static ExpressionStatementSyntax? DiscardingStatement(InvocationExpressionSyntax zap) => zap.Parent switch
        {
            ExpressionStatementSyntax statement => statement,
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" }, Parent: ExpressionStatementSyntax statement } assignment
                when assignment.Right == zap => statement,
            _ => null,
        };

        /// <summary>The VM whose lock a release names: <c>KVM_MMU_UNLOCK(kvm)</c>, <c>write_unlock(kvm.mmu_lock)</c>, <c>kvm.MmuLock.WriteUnlock()</c>.</summary>
        private static ExpressionSyntax? OwnerOfRelease(InvocationExpressionSyntax release)
        {
            if (release.Expression is MemberAccessExpressionSyntax { Expression: MemberAccessExpressionSyntax lockMember })
            {
                return lockMember.Expression;
            }

            return FirstArgument(release.ArgumentList) is { } argument ? OwnerOfLock(argument) : null;
        }

        private static ExpressionSyntax? FirstArgument(ArgumentListSyntax? arguments) => arguments?.Arguments.FirstOrDefault()?.Expression;

        private static ExpressionSyntax OwnerOfLock(ExpressionSyntax lockExpression) =>
            lockExpression is MemberAccessExpressionSyntax member ? member.Expression : lockExpression;

        /// <summary>
        /// A call of the port's own TLB flush on <paramref name="owner"/> that binds where it goes:
        /// the form of a flush the document already calls (<c>kvm_flush_remote_tlbs(x)</c> or
        /// <c>x.FlushRemoteTlbs()</c>), else a flush name of the catalogue or configuration in scope.
        /// </summary>
        private static InvocationExpressionSyntax? FlushCall(SemanticModel model, RoleView roles, ExpressionSyntax owner, int position, SyntaxTree tree, CancellationToken cancellationToken)
        {
            var candidates = new List<string>();
            foreach (var call in tree.GetRoot(cancellationToken).DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetOperation(call, cancellationToken) is IInvocationOperation invocation && roles.Summaries.FlushesTlbs(invocation))
                {
                    if (call.Expression is MemberAccessExpressionSyntax member && call.ArgumentList.Arguments.Count == 0)
                    {
                        candidates.Add(owner.WithoutTrivia() + "." + member.Name);
                    }
                    else if (call.ArgumentList.Arguments.Count == 1)
                    {
                        candidates.Add(call.Expression.WithoutTrivia() + "(" + owner.WithoutTrivia() + ")");
                    }
                }
            }

            foreach (var name in RoleCatalog.TlbFlushMethods.Names)
            {
                candidates.Add(name + "(" + owner.WithoutTrivia() + ")");
                candidates.Add(owner.WithoutTrivia() + "." + name + "()");
            }

            foreach (var text in candidates.Distinct())
            {
                if (SyntaxFactory.ParseExpression(text) is InvocationExpressionSyntax candidate
                    && model.GetSpeculativeSymbolInfo(position, candidate, SpeculativeBindingOption.BindAsExpression).Symbol is IMethodSymbol method
                    && (roles.Roles.IsDirectTlbFlush(method) || roles.Summaries.FlushesTlbs(method)))
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}
