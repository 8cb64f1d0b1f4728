using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// Fix All for fixes that restructure statements: the reported nodes are marked first, then
    /// fixed one at a time on the updated document, in source order, so one fix never sees a stale tree.
    /// </summary>
    internal static class SequentialFixAll
    {
        internal delegate Task<Document?> FixOne(Document document, SyntaxNode reported, Diagnostic diagnostic, CancellationToken cancellationToken);

        internal static FixAllProvider Create(FixOne fixOne) => Create(_ => fixOne);

        /// <summary>As <see cref="Create(FixOne)"/>, with the fix chosen by the Fix All's equivalence key (a fixer with several fixes).</summary>
        internal static FixAllProvider Create(System.Func<string?, FixOne> fixFor) => FixAllProvider.Create(async (context, document, diagnostics) =>
        {
            var fixOne = fixFor(context.CodeActionEquivalenceKey);
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || diagnostics.IsEmpty)
            {
                return document;
            }

            var marks = new List<(SyntaxAnnotation Mark, Diagnostic Diagnostic, SyntaxNode Reported)>();
            var nodes = new Dictionary<SyntaxNode, SyntaxAnnotation>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!nodes.ContainsKey(node))
                {
                    var mark = new SyntaxAnnotation("GfnGuardFixAll");
                    nodes[node] = mark;
                    marks.Add((mark, diagnostic, node));
                }
            }

            // The member each report is in: a fix changes what the rule sees in its own member.
            var members = marks.Select(m => MemberOf(m.Reported)).ToList();
            var fixedMembers = new HashSet<SyntaxNode>();
            bool? askingWorks = null;
            var unfixed = document;

            document = document.WithSyntaxRoot(root.ReplaceNodes(nodes.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(nodes[original])));
            for (var i = 0; i < marks.Count; i++)
            {
                var (mark, diagnostic, _) = marks[i];
                var current = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
                var node = current?.GetAnnotatedNodes(mark).FirstOrDefault();
                if (node is null)
                {
                    continue;
                }

                // A report in a member an earlier fix changed may be gone; one whose additional
                // locations the fix reads (the zaps KVM0006's fix tests) points into the old text once
                // any fix moved it. Both are asked of the rule on the document as it now is.
                var memberFixed = members[i] is { } member && fixedMembers.Contains(member);
                if (memberFixed || (fixedMembers.Count > 0 && diagnostic.AdditionalLocations.Count > 0))
                {
                    // Ask the rule only once it has been seen to confirm a report of the original
                    // document: options or a host that hide its reports would otherwise skip every fix.
                    askingWorks ??= await StillReported.AtAsync(unfixed, marks[0].Reported, marks[0].Diagnostic.Id, context.CancellationToken).ConfigureAwait(false) == true;
                    if (askingWorks == true)
                    {
                        var (asked, now) = await StillReported.ReportAtAsync(document, node, diagnostic.Id, context.CancellationToken).ConfigureAwait(false);
                        if (asked && now is null && memberFixed)
                        {
                            continue;
                        }

                        diagnostic = now ?? diagnostic;
                    }
                }

                if (await fixOne(document, node, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } fixedDocument)
                {
                    document = fixedDocument;
                    if (members[i] is { } changed)
                    {
                        fixedMembers.Add(changed);
                    }
                }
            }

            return document;
        });

        private static SyntaxNode? MemberOf(SyntaxNode node) =>
            node.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax>(m => m is not Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax);

        /// <summary>The node a diagnostic reports, in the document's current tree.</summary>
        internal static async Task<SyntaxNode?> ReportedNodeAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            return root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        }
    }
}
