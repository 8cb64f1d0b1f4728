using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Benchmarks;

/// <summary>
/// Registers what each GfnGuard rule registers (a compilation start action, then a code-block
/// action) and does nothing in it: the floor the analyzer driver sets for such an analyzer.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmptyCodeBlockAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new DiagnosticDescriptor(
        "BENCH0001", "Never reported", "Never reported", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Never);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start => start.RegisterCodeBlockAction(_ => { }));
    }
}
