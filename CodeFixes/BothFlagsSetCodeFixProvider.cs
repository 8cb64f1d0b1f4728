using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Analyzers.Rules;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// KVM0001 fixes: keep only OnlyShared, keep only OnlyPrivate, or clear both (target shared
    /// and private). Each writes <c>false</c> into the stores of the flag(s) it gives up; the
    /// analyzer hands over where those stores are as additional locations.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BothFlagsSetCodeFixProvider))]
    [Shared]
    public sealed class BothFlagsSetCodeFixProvider : CodeFixProvider
    {
        internal const string KeepOnlySharedKey = "KVM0001:KeepOnlyShared";
        internal const string KeepOnlyPrivateKey = "KVM0001:KeepOnlyPrivate";
        internal const string ClearBothKey = "KVM0001:ClearBoth";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BothFlagsSet);

        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            var roles = await FixRoles.ForAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            foreach (var diagnostic in context.Diagnostics)
            {
                foreach (var key in KeysInPathOrder(root, model, roles, diagnostic, context.CancellationToken))
                {
                    // Computed once: the changed document is what the action applies.
                    if (Cleared(root, new[] { diagnostic }, key) is not { } cleared)
                    {
                        continue;
                    }

                    var changed = context.Document.WithSyntaxRoot(cleared);
                    context.RegisterCodeFix(CodeAction.Create(Title(key), _ => Task.FromResult(changed), equivalenceKey: key), diagnostic);
                }
            }
        }

        /// <summary>
        /// The fixes in the order that fits the method's path (SPEC section 4), the first being
        /// what <c>dotnet format</c> applies: keep only the private flag on a guest_memfd path,
        /// only the shared flag on an HVA-based path, and clear both elsewhere (zapping both sides
        /// over-invalidates, which costs faults, never safety; keeping the wrong one would leave
        /// private mappings of freed guest_memfd pages in place).
        /// </summary>
        internal static string[] KeysInPathOrder(SyntaxNode root, SemanticModel? model, RoleView? roles, Diagnostic diagnostic, CancellationToken cancellationToken) =>
            FixPath.Of(root.FindNode(diagnostic.Location.SourceSpan), model, roles?.Roles, cancellationToken) switch
            {
                FixPathKind.GuestMemfd => new[] { KeepOnlyPrivateKey, ClearBothKey, KeepOnlySharedKey },
                FixPathKind.Hva => new[] { KeepOnlySharedKey, ClearBothKey, KeepOnlyPrivateKey },
                _ => new[] { ClearBothKey, KeepOnlySharedKey, KeepOnlyPrivateKey },
            };

        internal static string Title(string key) => key switch
        {
            KeepOnlySharedKey => "Keep only OnlyShared",
            KeepOnlyPrivateKey => "Keep only OnlyPrivate",
            _ => "Target shared and private (clear both)",
        };

        private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        {
            if (context.CodeActionEquivalenceKey is not { } key)
            {
                return document;
            }

            return await ClearAsync(document, diagnostics, key, context.CancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The spans of the flag values a fix writes false into. Additional location 0 is the value
        /// the reported store writes; the rest are where the other flag was made true.
        /// </summary>
        private static List<Location> ValuesToClear(Diagnostic diagnostic, string key)
        {
            var result = new List<Location>();
            if (diagnostic.AdditionalLocations.Count == 0
                || !diagnostic.Properties.TryGetValue(BothFlagsSetAnalyzer.FlagProperty, out var reportedFlag))
            {
                return result;
            }

            var thisStore = diagnostic.AdditionalLocations[0];
            var otherStores = diagnostic.AdditionalLocations.Skip(1).ToList();
            var reportedIsShared = reportedFlag == "OnlyShared";
            switch (key)
            {
                case KeepOnlySharedKey:
                    if (reportedIsShared)
                    {
                        result.AddRange(otherStores);
                    }
                    else
                    {
                        result.Add(thisStore);
                    }

                    break;
                case KeepOnlyPrivateKey:
                    if (reportedIsShared)
                    {
                        result.Add(thisStore);
                    }
                    else
                    {
                        result.AddRange(otherStores);
                    }

                    break;
                default:
                    if (otherStores.Count > 0)
                    {
                        result.Add(thisStore);
                        result.AddRange(otherStores);
                    }

                    break;
            }

            return result;
        }

        /// <summary>
        /// The value nodes a fix writes false into, or null when one of them is not a value: a
        /// helper call that set the flag (KVM0001 through a helper) has no value to rewrite, so
        /// that fix is not offered and another one (clearing the other flag) is.
        /// </summary>
        private static List<SyntaxNode>? NodesToClear(SyntaxNode root, Diagnostic diagnostic, string key)
        {
            var nodes = new List<SyntaxNode>();
            foreach (var location in ValuesToClear(diagnostic, key))
            {
                if (!location.IsInSource || location.SourceTree != root.SyntaxTree
                    || root.FindNode(location.SourceSpan, getInnermostNodeForTie: true) is not { } node)
                {
                    continue;
                }

                var value = FlagValueSyntax.Outermost(node, location.SourceSpan);
                // (A compound store `r.OnlyShared |= x` is the node rewritten: what it stores is what must run nothing.)
                if (value is not ExpressionSyntax expression || !FlagValueSyntax.RunsNothing(expression is AssignmentExpressionSyntax store ? store.Right : expression)
                    || !FlagValueSyntax.IsReplaceable(value))
                {
                    // A helper call or a constructor that set the flag has no value to rewrite, a
                    // value that runs something (`x && check(slot)`) would no longer run, and
                    // damaged code or a node that only a name or an initializer can replace has none the fix can trust.
                    return null;
                }

                nodes.Add(value);
            }

            return nodes;
        }

        private static async Task<Document> ClearAsync(Document document, IEnumerable<Diagnostic> diagnostics, string key, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            return root is not null && Cleared(root, diagnostics, key) is { } cleared ? document.WithSyntaxRoot(cleared) : document;
        }

        /// <summary>The root with false written into every value the fix gives up, or null when there is none.</summary>
        private static SyntaxNode? Cleared(SyntaxNode root, IEnumerable<Diagnostic> diagnostics, string key)
        {
            var nodes = new HashSet<SyntaxNode>();
            foreach (var diagnostic in diagnostics)
            {
                if (NodesToClear(root, diagnostic, key) is { } toClear)
                {
                    nodes.UnionWith(toClear);
                }
            }

            return nodes.Count == 0 ? null : root.ReplaceNodes(nodes, (original, _) => FlagValueSyntax.False(original));
        }
    }
}
