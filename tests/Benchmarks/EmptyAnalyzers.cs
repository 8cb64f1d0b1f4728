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
