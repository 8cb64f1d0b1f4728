using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Benchmarks;

/// <summary>
/// GfnGuard's time as a share of the compiler's own, on one thread and in one process, where
/// a 2-core machine's scheduling cannot blur it as it blurs the build A/B: the compiler parses
/// and emits the corpus with concurrent build off; GfnGuard's rules then run without
/// concurrent execution and the analyzer driver's telemetry gives their time. A third figure
/// is the floor any analyzer following the standards pays for the same job: binding the
/// bodies GfnGuard bound and building the graphs it built (<see cref="AnalysedBodies"/>,
/// recorded in a run of their own), asked of Roslyn again on a fresh compilation with nothing
/// else done.
/// Run with <c>dotnet run -c Release --project tests/Benchmarks -- --analyzer-cpu-share [rounds] [kvm|ordinary] [lines]</c>
/// (one corpus at one size is for profiling).
/// </summary>
internal static class AnalyzerCpuShare
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new ReclaimUnderMmuLockAnalyzer(), new EmptyFilterAtZapAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new FlushBeforeUnlockAnalyzer(), new UnbalancedMmuLockAnalyzer());

    internal static void Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var corpora = new[] { ("kvm", "KVM port (70% of methods with a role)", 0.7), ("ordinary", "ordinary C# (no KVM role)", 0.0) }
            .Where(c => args.Length <= 2 || c.Item1 == args[2]).Select(c => (c.Item2, c.Item3));
        var sizes = args.Length > 3 ? new[] { int.Parse(args[3], CultureInfo.InvariantCulture) } : new[] { 25_000, 50_000, 100_000 };
        Console.WriteLine($"Medians of {rounds} rounds after a warm-up; every round parses the corpus again into a fresh compilation.");
        Console.WriteLine();
        Console.WriteLine("| Corpus | Lines | Compiler: parse and emit (ms) | GfnGuard (ms) | GfnGuard's share | Floor: bind and graph the same bodies (ms) | Floor's share | Bodies bound / graphed / all |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        // Warm-up on a larger corpus than the first measured: until the process has run one,
        // the first corpus measures the JIT and the garbage collector's budgets settling.
        var warmUp = CorpusGenerator.Generate(new CorpusOptions(50_000, 0.7, BugShare: 0, Seed: 99));
        var warmUpAnalysed = Record(warmUp);
        for (var i = 0; i < 2; i++)
        {
            Round(warmUp, warmUpAnalysed);
        }

        var growth = new List<string>();
        foreach (var (kind, share) in corpora)
        {
            var first = (Lines: 0, GfnGuard: 0.0);
            foreach (var lines in sizes)
            {
                var corpus = CorpusGenerator.Generate(new CorpusOptions(lines, share, BugShare: 0));
                var analysed = Record(corpus);
                var measured = Enumerable.Range(0, rounds + 1).Select(_ => Round(corpus, analysed)).Skip(1).ToList();
                var compile = Median(measured.Select(m => m.Compile));
                var gfnGuard = Median(measured.Select(m => m.GfnGuard));
                var floor = Median(measured.Select(m => m.Floor));
                var last = measured[^1];
                if (first.Lines == 0)
                {
                    first = (corpus.Lines, gfnGuard);
                }
                else if (lines == sizes[^1])
                {
                    growth.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{kind}: {(double)corpus.Lines / first.Lines:F2}x the code, {gfnGuard / first.GfnGuard:F2}x GfnGuard's time"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {corpus.Lines:N0} | {compile:F0} | {gfnGuard:F1} | {100 * gfnGuard / compile:F1}% | {floor:F0} | {100 * floor / compile:F1}% | {last.Bound:N0} / {last.Graphed:N0} / {last.Bodies:N0} |"));
            }
        }

        Console.WriteLine();
        growth.ForEach(Console.WriteLine);
    }

    /// <summary>The declarations GfnGuard binds and graphs in the corpus, by file, recorded in a run of their own so that the timed runs do not pay for recording.</summary>
    private static AnalysedCorpus Record(GeneratedCorpus corpus)
    {
        var compilation = Compile(corpus);
        AnalysedBodies.Recording = true;
        try
        {
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            AnalysedBodies.Recording = false;
        }

        return new AnalysedCorpus(
            compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => AnalysedBodies.Bound(t).Select(d => d.Span).ToList()),
            compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => AnalysedBodies.Graphed(t).Select(d => d.Span).ToHashSet()),
            compilation.SyntaxTrees.Sum(t => GfnGuard.Analyzers.Gate.TreeRoleIndex.For(t, CancellationToken.None).BodyCount));
    }

    private sealed record AnalysedCorpus(Dictionary<string, List<Microsoft.CodeAnalysis.Text.TextSpan>> Bound, Dictionary<string, HashSet<Microsoft.CodeAnalysis.Text.TextSpan>> Graphed, int Bodies);

    private static (double Compile, double GfnGuard, double Floor, int Bound, int Graphed, int Bodies) Round(GeneratedCorpus corpus, AnalysedCorpus recorded)
    {
        // The compiler's own time: parsing and emitting, on one thread. Each phase starts from a
        // collected heap, so that it pays for its own garbage and not the last phase's.
        Collect();
        var watch = Stopwatch.StartNew();
        var compilation = Compile(corpus);
        using (var peStream = new MemoryStream())
        {
            var emitted = compilation.Emit(peStream);
            if (!emitted.Success)
            {
                throw new InvalidOperationException("the corpus does not compile: " + emitted.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
            }
        }

        var compile = watch.Elapsed.TotalMilliseconds;

        // GfnGuard's time, as the driver's telemetry (the same as ReportAnalyzer) counts it.
        var analysed = Compile(corpus);
        Collect();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
        var withAnalyzers = analysed.WithAnalyzers(Analyzers, options);
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (!diagnostics.IsEmpty)
        {
            throw new InvalidOperationException("the corpus has no broken method, yet GfnGuard reported " + diagnostics[0]);
        }

        var gfnGuard = Analyzers.Sum(a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);

        // The floor: the same bodies bound and graphed again in a fresh compilation, nothing else.
        var bound = recorded.Bound;
        var graphed = recorded.Graphed;
        // Declarations and method bodies compiled first, as the driver has them when the rules run.
        var fresh = Compile(corpus);
        _ = fresh.GetDiagnostics();
        Collect();
        watch.Restart();
        foreach (var tree in fresh.SyntaxTrees)
        {
            var model = fresh.GetSemanticModel(tree);
            var root = tree.GetRoot();
            foreach (var span in bound[tree.FilePath])
            {
                var declaration = root.FindNode(span, getInnermostNodeForTie: false);
                StandardsFloorAnalyzer.BindAndGraph(model, declaration, graphed[tree.FilePath].Contains(span), CancellationToken.None);
            }
        }

        var floor = watch.Elapsed.TotalMilliseconds;
        return (compile, gfnGuard, floor, bound.Values.Sum(b => b.Count), graphed.Values.Sum(g => g.Count), recorded.Bodies);
    }

    /// <summary>The corpus parsed afresh into a compilation that builds on one thread.</summary>
    private static CSharpCompilation Compile(GeneratedCorpus corpus) =>
        (CSharpCompilation)DocumentLatencyBenchmarks.Compile(corpus.Files).WithOptions(
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, concurrentBuild: false));

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
