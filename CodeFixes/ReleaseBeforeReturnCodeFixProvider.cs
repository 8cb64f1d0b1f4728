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
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Rules;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// KVM0007 fix for a return that may still hold mmu_lock: insert the release that matches the
    /// acquisition (the mode that was taken: <c>KVM_MMU_UNLOCK(kvm)</c> for <c>KVM_MMU_LOCK(kvm)</c>,
    /// <c>read_unlock</c> for <c>read_lock</c>) just before it. Offered only where the lock was taken
    /// by a call form at one place and is held on every path that reaches the return, so the
    /// release runs exactly where the lock is held.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseBeforeReturnCodeFixProvider))]
    [Shared]
    public sealed class ReleaseBeforeReturnCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "KVM0007:ReleaseBeforeReturn";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnbalancedMmuLock);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

        public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
            FixRegistration.RegisterAsync(context, "Release mmu_lock before returning", EquivalenceKey, FixAsync);

        private static async Task<Document?> FixAsync(Document document, SyntaxNode reported, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(UnbalancedMmuLockAnalyzer.ReleaseProperty, out var text) || text is null
                || SyntaxFactory.ParseStatement(text) is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax release } statement
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
            {
                return null;
            }

            // The release must bind where it goes (the acquisition's receiver and arguments are in scope there).
            var position = reported is BlockSyntax block ? block.CloseBraceToken.SpanStart : reported.SpanStart;
            if (model.GetSpeculativeSymbolInfo(position, release, SpeculativeBindingOption.BindAsExpression).Symbol is not IMethodSymbol)
            {
                return null;
            }

            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            switch (reported)
            {
                case ReturnStatementSyntax returned:
                    StatementEdits.InsertBefore(editor, returned, new StatementSyntax[] { statement });
                    break;
                case BlockSyntax end when end.Parent is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax:
                    editor.ReplaceNode(end, end.AddStatements(StatementEdits.OnItsOwnLine<StatementSyntax>(statement, end)));
                    break;
                default:
                    return null;
            }

            return editor.GetChangedDocument();
        }
    }
}
