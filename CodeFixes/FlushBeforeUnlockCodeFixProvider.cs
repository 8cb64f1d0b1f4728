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
            if (!diagnostic.Properties.TryGetValue(FlushBeforeUnlockAnalyzer.FlagProperty, out var flag) || flag is null
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model
                || await FixRoles.ForAsync(document, cancellationToken).ConfigureAwait(false) is not { } roles)
            {
                return null;
            }

            // Where the flush goes: before the release statement, or at the end of the lock/using block.
            StatementSyntax? before = null;
            BlockSyntax? endOf = null;
            ExpressionSyntax? owner;
            switch (reported)
            {
                case BlockSyntax { Parent: LockStatementSyntax lockStatement } block:
                    endOf = block;
                    owner = OwnerOfLock(lockStatement.Expression);
                    break;
                case BlockSyntax { Parent: UsingStatementSyntax { Expression: InvocationExpressionSyntax guard } } block:
                    endOf = block;
                    owner = guard.Expression is MemberAccessExpressionSyntax { Expression: var lockExpression } ? OwnerOfLock(lockExpression) : FirstArgument(guard.ArgumentList);
                    break;
                case BlockSyntax { Parent: UsingStatementSyntax { Expression: BaseObjectCreationExpressionSyntax guard } } block:
                    // A port's own guard, given the VM whose lock it takes: new ScopedWriteLock(kvm).
                    endOf = block;
                    owner = FirstArgument(guard.ArgumentList);
                    break;
                default:
                    if (reported.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { Parent: ExpressionStatementSyntax statement } release)
                    {
                        return null;
                    }

                    before = statement;
                    owner = OwnerOfRelease(release);
                    break;
            }

            if (owner is null || (endOf is not null && endOf.Statements.LastOrDefault() is ReturnStatementSyntax or ThrowStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax))
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
