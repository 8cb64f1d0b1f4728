using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// Whether the rule still reports a node after earlier fixes of a Fix All changed its method:
    /// one fix may restore the contract at a later report too (two handler calls of one range
    /// need the flags set once, before the first), and fixing that report again would write
    /// the same statements twice. The rule is asked, not imitated: its own analyzer on the
    /// document as it now is, with the project's options.
    /// </summary>
    internal static class StillReported
    {
        private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new Lazy<ImmutableArray<DiagnosticAnalyzer>>(FindAnalyzers);

        /// <summary>True or false as the rule says; null when it cannot be asked (no analyzer reports the id, no model, or the run failed).</summary>
        internal static async Task<bool?> AtAsync(Document document, SyntaxNode node, string id, CancellationToken cancellationToken)
        {
            var (asked, report) = await ReportAtAsync(document, node, id, cancellationToken).ConfigureAwait(false);
            return asked ? report is not null : null;
        }

        /// <summary>
        /// The rule's report of <paramref name="node"/> in the document as it now is (its additional
        /// locations in the current tree), or none; <c>Asked</c> false when the rule cannot be asked.
        /// </summary>
        internal static async Task<(bool Asked, Diagnostic? Report)> ReportAtAsync(Document document, SyntaxNode node, string id, CancellationToken cancellationToken)
        {
            try
            {
                var analyzer = s_analyzers.Value.FirstOrDefault(a => a.SupportedDiagnostics.Any(d => d.Id == id));
                if (analyzer is null || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
                {
                    return (false, null);
                }

                var run = model.Compilation.WithAnalyzers(ImmutableArray.Create(analyzer), document.Project.AnalyzerOptions);
                var diagnostics = await run.GetAnalyzerSemanticDiagnosticsAsync(model, node.Span, cancellationToken).ConfigureAwait(false);
                var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                return (true, diagnostics.FirstOrDefault(d => d.Id == id && d.Location.SourceTree == model.SyntaxTree
                    && root?.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true) == node));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (false, null);
            }
        }

        private static ImmutableArray<DiagnosticAnalyzer> FindAnalyzers() =>
            LoadableTypes(typeof(Analyzers.DiagnosticIds).Assembly)
                .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), inherit: false).Length > 0
                    && t.GetConstructor(Type.EmptyTypes) is not null)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t))
                .ToImmutableArray();

        private static Type[] LoadableTypes(System.Reflection.Assembly assembly)
        {
            try
            {
                return assembly.GetTypes();
            }
            catch (System.Reflection.ReflectionTypeLoadException e)
            {
                return e.Types.Where(t => t is not null).ToArray();
            }
        }
    }
}
