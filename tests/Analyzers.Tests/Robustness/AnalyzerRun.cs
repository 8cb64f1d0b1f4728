using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>Compiles sources against .NET 8 and runs every GfnGuard analyzer as the compiler and the IDE do.</summary>
internal static class AnalyzerRun
{
    internal static readonly ImmutableArray<DiagnosticAnalyzer> All =
        ImmutableArray.Create<DiagnosticAnalyzer>(new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new ReclaimUnderMmuLockAnalyzer(), new EmptyFilterAtZapAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new FlushBeforeUnlockAnalyzer(), new UnbalancedMmuLockAnalyzer(), new UnknownOptionKeyAnalyzer());

    private static ImmutableArray<MetadataReference>? s_references;

    internal static async Task<ImmutableArray<MetadataReference>> ReferencesAsync()
    {
        if (s_references is { } cached)
        {
            return cached;
        }

        var resolved = await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        s_references = resolved.Add(Verifiers.TestReferences.Runtime);
        return s_references.Value;
    }

    /// <summary>Compiles <paramref name="sources"/> against .NET 8 and, unless <paramref name="withRuntime"/> is false, GfnGuard's runtime.</summary>
    internal static async Task<CSharpCompilation> CompileAsync(IEnumerable<(string Path, string Text)> sources, bool withRuntime = true)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path));
        var references = await ReferencesAsync();
        return CSharpCompilation.Create(
            "Corpus",
            trees,
            withRuntime ? references : references.Remove(Verifiers.TestReferences.Runtime),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>The syntax gate the rules share for <paramref name="compilation"/> with no options (the one a build gets).</summary>
    internal static GfnGuard.Analyzers.Gate.SyntaxGate GateOf(Compilation compilation) =>
        GfnGuard.Analyzers.Flow.RoleContext.For(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty)).Gate;

    /// <summary>The analyzers' diagnostics (every rule's, or those of <paramref name="analyzers"/>), and every exception an analyzer threw (an AD0001 in a build).</summary>
    internal static async Task<Outcome> AnalyzeAsync(Compilation compilation, bool concurrent = true, AnalyzerOptions? analyzerOptions = null, ImmutableArray<DiagnosticAnalyzer>? analyzers = null)
    {
        var exceptions = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            analyzerOptions ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, diagnostic) => { lock (exceptions) { exceptions.Add(analyzer.GetType().Name + ": " + exception); } },
            concurrentAnalysis: concurrent,
            logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers ?? All, options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        foreach (var diagnostic in diagnostics.Where(d => d.Id == "AD0001"))
        {
            exceptions.Add(diagnostic.ToString());
        }

        return new Outcome(diagnostics.Where(d => d.Id.StartsWith("KVM", System.StringComparison.Ordinal)).ToImmutableArray(), exceptions);
    }

    internal sealed record Outcome(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<string> Exceptions)
    {
        /// <summary>Each diagnostic as one comparable line: id, file, span, message.</summary>
        internal IReadOnlyList<string> Lines => Diagnostics
            .Select(d => $"{d.Id} {d.Location.SourceTree?.FilePath}{d.Location.GetLineSpan().Span} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")
            .OrderBy(l => l, System.StringComparer.Ordinal)
            .ToList();
    }
}
