using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using GfnGuard.Analyzers.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Benchmarks;

#pragma warning disable RS1001, RS2008 // a benchmark fixture (see EmptyAnalyzer)

/// <summary>
/// The floor any analyzer following this project's standards pays for GfnGuard's job on a
/// document: it binds the bodies GfnGuard bound, builds the graphs it built (with their
/// lambdas' and local functions'), and reports where GfnGuard reported (a report in a tree
/// makes the driver look for generated code in it), and does nothing else. The bodies and
/// reports are GfnGuard's own on the unedited document, whose spans an edit at its end keeps.
/// </summary>
public sealed class StandardsFloorAnalyzer : EmptyAnalyzer
{
    private static readonly DiagnosticDescriptor Report = new DiagnosticDescriptor(
        "BENCH0002", "Where GfnGuard reports", "Where GfnGuard reports", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private readonly HashSet<TextSpan> _bound;
    private readonly HashSet<TextSpan> _graphed;
    private readonly ImmutableArray<TextSpan> _reports;

    public StandardsFloorAnalyzer(IEnumerable<TextSpan> bound, IEnumerable<TextSpan> graphed, IEnumerable<TextSpan> reports)
    {
        _bound = new(bound);
        _graphed = new(graphed);
        _reports = reports.ToImmutableArray();
    }

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Report);

    /// <summary>
    /// What GfnGuard asks Roslyn for on one code block: its operation tree and, when
    /// <paramref name="graph"/>, its control-flow graph and those of the lambdas and local
    /// functions in it. The CPU-share benchmark's floor asks the same.
    /// </summary>
    internal static void BindAndGraph(SemanticModel model, SyntaxNode codeBlock, bool graph, CancellationToken cancellationToken)
    {
        if (MethodBody.RootOf(model, codeBlock, cancellationToken) is { } root
            && graph
            && MethodBody.GraphOf(root, cancellationToken) is { } built)
        {
            foreach (var _ in MethodGraphs.WithNested(built, cancellationToken))
            {
            }
        }
    }

    protected override void Register(CompilationStartAnalysisContext start) => start.RegisterCodeBlockAction(context =>
    {
        var span = context.CodeBlock.Span;
        if (!_bound.Contains(span))
        {
            return;
        }

        BindAndGraph(context.SemanticModel, context.CodeBlock, _graphed.Contains(span), context.CancellationToken);
        foreach (var report in _reports)
        {
            if (span.Contains(report))
            {
                context.ReportDiagnostic(Diagnostic.Create(Report, Location.Create(context.CodeBlock.SyntaxTree, report)));
            }
        }
    });
}
