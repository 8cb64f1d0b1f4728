using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Benchmarks;

/// <summary>
/// Per-analyzer execution time in-process, warm (the same telemetry as ReportAnalyzer), for
/// finding where analyzer time goes: <c>-- --analyzer-profile 20000 0.7</c>. From the second
/// round on, the bodies the rules bound are bound and graphed first by another analyzer, so each
/// rule's time is its own work; <c>GFNGUARD_PROFILE_ONLY=UnbalancedMmuLockAnalyzer,...</c> keeps
/// only the rules named from then on, to read one rule's time and allocations alone.
/// </summary>
internal static class AnalyzerProfile
{
    internal static void Run(string[] args)
    {
        // Real code: `--analyzer-profile <directory>` compiles every .cs file under it (e.g.
        // ../shared/realcode/serilog/src/Serilog); round 0 is cold (JIT included), the rest warm.
        var compilation = args.Length > 1 && System.IO.Directory.Exists(args[1])
            ? DocumentLatencyBenchmarks.Compile(System.IO.Directory.EnumerateFiles(args[1], "*.cs", System.IO.SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
                .Select(f => new CorpusFile(f, System.IO.File.ReadAllText(f))))
            : DocumentLatencyBenchmarks.Compile(CorpusGenerator.Generate(new CorpusOptions(
                args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000,
                args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.7,
                BugShare: 0)).Files);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new ReclaimUnderMmuLockAnalyzer(), new EmptyFilterAtZapAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new FlushBeforeUnlockAnalyzer(), new UnbalancedMmuLockAnalyzer(), new BothFilterFormsAnalyzer(), new UnknownOptionKeyAnalyzer());
        // Counted here, so the times include recording them (a lock and a set insert per body).
        GfnGuard.Analyzers.Flow.AnalysedBodies.Recording = true;
        var recorded = Array.Empty<(string Path, Microsoft.CodeAnalysis.Text.TextSpan Span, bool Graphed)>();
        for (var round = 0; round < 5; round++)
        {
            // A fresh compilation of freshly parsed trees each round, as a build has; binding is done before timing.
            var fresh = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), (CSharpParseOptions)t.Options, t.FilePath)));
            var walk = Stopwatch.StartNew();
            var tokens = 0;
            foreach (var tree in fresh.SyntaxTrees)
            {
                foreach (var item in tree.GetRoot().DescendantNodesAndTokens())
                {
                    tokens += item.IsToken ? 1 : 0;
                }
            }

            // What the gate reads of every tree (the bodies of a tree are indexed only if it spells a name the gate needs).
            var wholeFiles = Stopwatch.StartNew();
            foreach (var tree in fresh.SyntaxTrees)
            {
                GfnGuard.Analyzers.Gate.TreeNames.For(tree, CancellationToken.None);
            }

            Console.Write(string.Create(CultureInfo.InvariantCulture, $"[syntax walk {walk.ElapsedMilliseconds} ms, {tokens} tokens; whole-file read {wholeFiles.ElapsedMilliseconds} ms] "));
            var bind = Stopwatch.StartNew();
            var errors = fresh.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
            bind.Stop();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: false, logAnalyzerExecutionTime: true);
            // From round 1 on, a first analyzer binds and graphs the bodies GfnGuard bound in the
            // round before (cached where the rules find them), so the rules' times are their own work.
            var prefetch = round == 0 ? null : new PrefetchAnalyzer(recorded);
            if (round == 1 && Environment.GetEnvironmentVariable("GFNGUARD_PROFILE_ONLY") is { } only)
            {
                analyzers = analyzers.Where(a => only.Split(',').Contains(a.GetType().Name)).ToImmutableArray();
            }

            var withAnalyzers = fresh.WithAnalyzers(prefetch is null ? analyzers : analyzers.Insert(0, prefetch), options);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var collectionsBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var total = Stopwatch.StartNew();
            withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            total.Stop();
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"[allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1_000_000} MB, collections {GC.CollectionCount(0) - collectionsBefore.Item1}/{GC.CollectionCount(1) - collectionsBefore.Item2}/{GC.CollectionCount(2) - collectionsBefore.Item3}] "));
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"round {round}: compiler diagnostics {bind.ElapsedMilliseconds} ms ({errors} errors), analyzers {total.ElapsedMilliseconds} ms:"));
            if (prefetch is not null)
            {
                var time = withAnalyzers.GetAnalyzerTelemetryInfoAsync(prefetch, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime;
                Console.Write(string.Create(CultureInfo.InvariantCulture, $" binding and graphing first {time.TotalMilliseconds:F0} ms, then"));
            }

            foreach (var analyzer in analyzers)
            {
                var time = withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime;
                Console.Write(string.Create(CultureInfo.InvariantCulture, $" {analyzer.GetType().Name} {time.TotalMilliseconds:F0} ms;"));
            }

            var bodies = fresh.SyntaxTrees.Sum(t => GfnGuard.Analyzers.Gate.TreeRoleIndex.For(t, CancellationToken.None).BodyCount);
            var bound = fresh.SyntaxTrees.Sum(t => GfnGuard.Analyzers.Flow.AnalysedBodies.Bound(t).Count);
            var graphs = fresh.SyntaxTrees.Sum(t => GfnGuard.Analyzers.Flow.AnalysedBodies.Graphed(t).Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $" of {bodies} bodies, {bound} bound and {graphs} graphed"));
            recorded = round > 0 ? recorded : fresh.SyntaxTrees.SelectMany(t => GfnGuard.Analyzers.Flow.AnalysedBodies.Bound(t).Select(n => (t.FilePath, n.Span, GfnGuard.Analyzers.Flow.AnalysedBodies.Graphed(t).Contains(n)))).ToArray();
        }
    }

#pragma warning disable RS1001, RS2008 // a benchmark fixture (see EmptyAnalyzer)

    /// <summary>Binds and graphs the given bodies, through the caches the rules read, and nothing else.</summary>
    private sealed class PrefetchAnalyzer : EmptyAnalyzer
    {
        private readonly System.Collections.Generic.Dictionary<(string, Microsoft.CodeAnalysis.Text.TextSpan), bool> _bodies;

        internal PrefetchAnalyzer(System.Collections.Generic.IEnumerable<(string Path, Microsoft.CodeAnalysis.Text.TextSpan Span, bool Graphed)> bodies)
        {
            _bodies = bodies.ToDictionary(b => (b.Path, b.Span), b => b.Graphed);
        }

        protected override void Register(CompilationStartAnalysisContext start) => start.RegisterCodeBlockAction(context =>
        {
            if (_bodies.TryGetValue((context.CodeBlock.SyntaxTree.FilePath, context.CodeBlock.Span), out var graphed)
                && GfnGuard.Analyzers.Flow.MethodBody.RootOf(context.SemanticModel, context.CodeBlock, context.CancellationToken) is { } root
                && graphed
                && GfnGuard.Analyzers.Flow.MethodBody.SharedGraph(root) is { } graph)
            {
                foreach (var _ in GfnGuard.Analyzers.Flow.MethodGraphs.WithNested(graph, context.CancellationToken))
                {
                }
            }
        });
    }
}
