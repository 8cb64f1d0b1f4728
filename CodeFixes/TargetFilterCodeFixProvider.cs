using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// KVM0004 fixes: give the range's attr_filter a target (shared, private, or both), where the
    /// range is built or just before the zap. Ordered by path (SPEC section 4): private first on a
    /// guest_memfd path, shared first on an HVA-based path, both first elsewhere.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TargetFilterCodeFixProvider))]
    [Shared]
    public sealed class TargetFilterCodeFixProvider : CodeFixProvider
    {
        internal const string TargetSharedKey = "KVM0004:TargetShared";
        internal const string TargetPrivateKey = "KVM0004:TargetPrivate";
        internal const string TargetBothKey = "KVM0004:TargetBoth";

        private static readonly SequentialFixAll.FixOne Shared = OneSidedRangeFix.For(FlagKind.OnlyShared);
        private static readonly SequentialFixAll.FixOne Private = OneSidedRangeFix.For(FlagKind.OnlyPrivate);
        private static readonly SequentialFixAll.FixOne Both = OneSidedRangeFix.ForBothSides();

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.EmptyFilterAtZap);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixFor);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var roles = await FixRoles.ForAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            foreach (var diagnostic in context.Diagnostics)
            {
                var document = context.Document;
                var node = await SequentialFixAll.ReportedNodeAsync(document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null || root is null)
                {
                    continue;
                }

                foreach (var key in KeysInPathOrder(node, model, roles?.Roles, context.CancellationToken))
                {
                    if (await FixFor(key)(document, node, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } changed)
                    {
                        context.RegisterCodeFix(CodeAction.Create(Title(key), _ => Task.FromResult(changed), key), diagnostic);
                    }
                }
            }
        }

        internal static string Title(string key) => key switch
        {
            TargetSharedKey => "Target shared mappings",
            TargetPrivateKey => "Target private mappings",
            _ => "Target both",
        };

        private static SequentialFixAll.FixOne FixFor(string? key) => key switch
        {
            TargetSharedKey => Shared,
            TargetPrivateKey => Private,
            _ => Both,
        };

        private static string[] KeysInPathOrder(SyntaxNode node, SemanticModel? model, SymbolRoles? roles, CancellationToken cancellationToken) =>
            FixPath.Of(node, model, roles, cancellationToken) switch
            {
                FixPathKind.GuestMemfd => new[] { TargetPrivateKey, TargetBothKey, TargetSharedKey },
                FixPathKind.Hva => new[] { TargetSharedKey, TargetBothKey, TargetPrivateKey },
                _ => new[] { TargetBothKey, TargetSharedKey, TargetPrivateKey },
            };
    }
}
