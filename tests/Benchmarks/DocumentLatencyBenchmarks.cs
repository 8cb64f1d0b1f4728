using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Benchmarks;

/// <summary>
/// What the IDE pays after a keystroke in a 2,000-line port file: a new compilation with the
/// edited document, then GfnGuard's diagnostics for that document alone through
/// <see cref="CompilationWithAnalyzers"/>. The compiler's own diagnostics for the document are
/// measured alongside, for scale.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DocumentLatencyBenchmarks
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new ReclaimUnderMmuLockAnalyzer(), new EmptyFilterAtZapAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new FlushBeforeUnlockAnalyzer(), new UnbalancedMmuLockAnalyzer());

    private CSharpCompilation _compilation = null!;
    private ImmutableArray<DiagnosticAnalyzer> _floor;
    private SyntaxTree _document = null!;
    private int _edit;

    /// <summary>The project around the document, in lines (500 lines a file): 20,000 (40 files) or 250,000 (a 500-file project).</summary>
    [Params(20_000, 250_000)]
    public int ProjectLines { get; set; } = 20_000;

    /// <summary>
    /// What a keystroke types: a comment at the end of the document (no body changes), or a
    /// statement inside the body of a method that takes mmu_lock (that body, and every body that
    /// may reach it, must be analysed again).
    /// </summary>
    [Params(Keystrokes.Comment, Keystrokes.Statement)]
    public string Keystroke { get; set; } = Keystrokes.Comment;

    [GlobalSetup]
    public void Setup()
    {
        // The document being edited: 2,000 lines of port; the rest of the project around it.
        var document = CorpusGenerator.Generate(new CorpusOptions(Lines: 2000, KvmShare: 0.7, BugShare: 0.01, LinesPerFile: 2000, Seed: 3)).Files;
        var project = CorpusGenerator.Generate(new CorpusOptions(Lines: ProjectLines, KvmShare: 0.5, BugShare: 0.01, Seed: 4)).Files.Skip(1)
            .Select(f => f with { Name = "Other" + f.Name, Text = f.Text.Replace("namespace Port.Generated", "namespace Port.Other", System.StringComparison.Ordinal) });
        _compilation = Compile(document.Concat(project));
        _document = _compilation.SyntaxTrees.Single(t => t.FilePath == "Port0001.cs");

        // What GfnGuard binds, graphs and reports in the document, for the standards' floor;
        // recorded once, here, so the keystrokes do not pay for recording.
        GfnGuard.Analyzers.Flow.AnalysedBodies.Recording = true;
        var reports = _compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
            .Where(d => d.Location.SourceTree == _document).Select(d => d.Location.SourceSpan).ToList();
        _floor = ImmutableArray.Create<DiagnosticAnalyzer>(new StandardsFloorAnalyzer(
            GfnGuard.Analyzers.Flow.AnalysedBodies.Bound(_document).Select(d => d.Span),
            GfnGuard.Analyzers.Flow.AnalysedBodies.Graphed(_document).Select(d => d.Span),
            reports));
        GfnGuard.Analyzers.Flow.AnalysedBodies.Recording = false;
    }

    /// <summary>The compiler's diagnostics for the edited document (what the IDE computes anyway).</summary>
    [Benchmark(Baseline = true)]
    public int CompilerOnly()
    {
        var (compilation, tree) = Edit();
        return compilation.GetSemanticModel(tree).GetDiagnostics().Length;
    }

    /// <summary>The compiler's diagnostics, then GfnGuard's for the same document.</summary>
    [Benchmark]
    public Task<int> CompilerThenGfnGuard() => CompilerThen(Analyzers);

    /// <summary>
    /// The same request with an analyzer that registers what GfnGuard registers (a compilation
    /// start action and a code-block action) and does nothing: the analyzer driver's own cost,
    /// which any analyzer pays and GfnGuard cannot lower.
    /// </summary>
    [Benchmark]
    public Task<int> CompilerThenEmptyCodeBlockAnalyzer() => CompilerThen(ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyCodeBlockAnalyzer()));

    /// <summary>
    /// The same request with an analyzer that only binds and graphs the bodies GfnGuard does and
    /// reports where it reports (<see cref="StandardsFloorAnalyzer"/>): what any analyzer
    /// following this project's standards pays for GfnGuard's job on this document.
    /// </summary>
    [Benchmark]
    public Task<int> CompilerThenStandardsFloor() => CompilerThen(_floor);

    /// <summary>As the IDE does: the analyzers get the semantic model the compiler already bound.</summary>
    internal async Task<int> CompilerThen(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var (compilation, tree) = Edit();
        var withAnalyzers = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        var model = withAnalyzers.Compilation.GetSemanticModel(tree);
        var count = model.GetDiagnostics().Length;
        count += (await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None)).Length;
        return count;
    }

    /// <summary>
    /// A quick in-process reading for profiling (<c>-- --document-latency 40</c>): medians of
    /// the benchmarks over <paramref name="keystrokes"/> edits, without BenchmarkDotNet's
    /// process isolation; quote the BenchmarkDotNet figures, not these. It also times an empty
    /// semantic-model analyzer, which shows the driver's floor is the request itself, not the
    /// kind of action registered.
    /// </summary>
    internal static void RunQuick(int keystrokes, int projectFiles = 40, string keystroke = Keystrokes.Comment)
    {
        var benchmarks = new DocumentLatencyBenchmarks { ProjectLines = projectFiles * 500, Keystroke = keystroke };
        benchmarks.Setup();
        var compilerOnly = new List<double>();
        var withEmpty = new List<double>();
        var withEmptyModel = new List<double>();
        var withFloor = new List<double>();
        var withGfnGuard = new List<double>();
        for (var i = 0; i < keystrokes; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            benchmarks.CompilerOnly();
            compilerOnly.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            benchmarks.CompilerThenEmptyCodeBlockAnalyzer().GetAwaiter().GetResult();
            withEmpty.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            benchmarks.CompilerThen(ImmutableArray.Create<DiagnosticAnalyzer>(new EmptySemanticModelAnalyzer())).GetAwaiter().GetResult();
            withEmptyModel.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            benchmarks.CompilerThenStandardsFloor().GetAwaiter().GetResult();
            withFloor.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            benchmarks.CompilerThenGfnGuard().GetAwaiter().GetResult();
            withGfnGuard.Add(watch.Elapsed.TotalMilliseconds);
        }

        static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);
        System.Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{keystrokes} keystrokes ({keystroke}), {projectFiles} files around the document: compiler only {Median(compilerOnly):F1} ms, compiler then an empty code-block analyzer {Median(withEmpty):F1} ms, an empty semantic-model analyzer {Median(withEmptyModel):F1} ms, the standards' floor {Median(withFloor):F1} ms, compiler then GfnGuard {Median(withGfnGuard):F1} ms (medians)"));
    }

    internal static CSharpCompilation Compile(IEnumerable<CorpusFile> files)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)System.AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator)
            .Where(p => System.IO.Path.GetFileName(p).StartsWith("System.", System.StringComparison.Ordinal) || System.IO.Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create(
            "Corpus",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, f.Name)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    /// <summary>A keystroke (see <see cref="Keystroke"/>), giving a new compilation.</summary>
    private (Compilation Compilation, SyntaxTree Tree) Edit()
    {
        var text = _document.GetText();
        var change = Keystroke == Keystrokes.Statement
            ? new TextChange(new TextSpan(StatementPlace(), 0), "            var typed = " + _edit++ + ";\n")
            : new TextChange(new TextSpan(text.Length, 0), "// " + _edit++ + "\n");
        var edited = _document.WithChangedText(text.WithChanges(change));
        return (_compilation.ReplaceSyntaxTree(_document, edited), edited);
    }

    /// <summary>The start of the first line of the first body in the document that takes mmu_lock.</summary>
    private int StatementPlace() => _document.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>()
        .First(m => m.Body is { } body && body.ToString().Contains("KVM_MMU_LOCK(kvm);", System.StringComparison.Ordinal)).Body!.OpenBraceToken.FullSpan.End;

    /// <summary>The values of <see cref="Keystroke"/>.</summary>
    public static class Keystrokes
    {
        public const string Comment = "comment";
        public const string Statement = "statement";
    }
}
