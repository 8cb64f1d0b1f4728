using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Benchmarks;

// Benchmark fixtures handed to CompilationWithAnalyzers directly: never discovered by a
// compiler (no [DiagnosticAnalyzer]) and never shipped (no release tracking).
#pragma warning disable RS1001, RS2008

/// <summary>
/// Analyzers that register an action and do nothing in it: the floor the analyzer driver sets
/// for a request, whatever the analyzers do. Configured as GfnGuard's rules are (concurrent,
/// no generated code, actions registered at compilation start).
/// </summary>
public abstract class EmptyAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new DiagnosticDescriptor(
        "BENCH0001", "Never reported", "Never reported", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Never);

    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(Register);
    }

    protected abstract void Register(CompilationStartAnalysisContext start);
}

/// <summary>What each GfnGuard rule registers: a code-block action.</summary>
public sealed class EmptyCodeBlockAnalyzer : EmptyAnalyzer
{
    protected override void Register(CompilationStartAnalysisContext start) => start.RegisterCodeBlockAction(_ => { });
}

/// <summary>A per-document semantic-model action instead, to see whether the kind of action moves the floor.</summary>
public sealed class EmptySemanticModelAnalyzer : EmptyAnalyzer
{
    protected override void Register(CompilationStartAnalysisContext start) => start.RegisterSemanticModelAction(_ => { });
}

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

    private readonly System.Collections.Generic.HashSet<Microsoft.CodeAnalysis.Text.TextSpan> _bound;
    private readonly System.Collections.Generic.HashSet<Microsoft.CodeAnalysis.Text.TextSpan> _graphed;
    private readonly ImmutableArray<Microsoft.CodeAnalysis.Text.TextSpan> _reports;

    public StandardsFloorAnalyzer(
        System.Collections.Generic.IEnumerable<Microsoft.CodeAnalysis.Text.TextSpan> bound,
        System.Collections.Generic.IEnumerable<Microsoft.CodeAnalysis.Text.TextSpan> graphed,
        System.Collections.Generic.IEnumerable<Microsoft.CodeAnalysis.Text.TextSpan> reports)
    {
        _bound = new(bound);
        _graphed = new(graphed);
        _reports = reports.ToImmutableArray();
    }

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Report);

    protected override void Register(CompilationStartAnalysisContext start) => start.RegisterCodeBlockAction(context =>
    {
        var span = context.CodeBlock.Span;
        if (!_bound.Contains(span)
            || GfnGuard.Analyzers.Flow.MethodBody.RootOf(context.SemanticModel, context.CodeBlock, context.CancellationToken) is not { } root)
        {
            return;
        }

        if (_graphed.Contains(span) && GfnGuard.Analyzers.Flow.MethodBody.GraphOf(root, context.CancellationToken) is { } graph)
        {
            foreach (var _ in GfnGuard.Analyzers.Flow.MethodGraphs.WithNested(graph, context.CancellationToken))
            {
            }
        }

        foreach (var report in _reports)
        {
            if (span.Contains(report))
            {
                context.ReportDiagnostic(Diagnostic.Create(Report, Location.Create(context.CodeBlock.SyntaxTree, report)));
            }
        }
    });
}
