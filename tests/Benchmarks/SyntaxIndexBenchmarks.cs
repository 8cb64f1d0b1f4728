using System.Linq;
using BenchmarkDotNet.Attributes;
using GfnGuard.Analyzers.Gate;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GfnGuard.Benchmarks;

/// <summary>
/// What the syntax gate pays after a keystroke: reading the edited 2,000-line document's names
/// and indexing its bodies again (every other tree keeps both). Parsing the same text is the baseline, for scale; the
/// IDE has parsed and bound the document already, so its red tree exists before the index
/// reads it, as it does here.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SyntaxIndexBenchmarks
{
    private string _text = null!;
    private SyntaxTree _tree = null!;

    [GlobalSetup]
    public void Setup()
    {
        _text = CorpusGenerator.Generate(new CorpusOptions(Lines: 2000, KvmShare: 0.7, BugShare: 0.01, LinesPerFile: 2000, Seed: 3)).Files.Single(f => f.Name == "Port0001.cs").Text;
        _tree = CSharpSyntaxTree.ParseText(_text, new CSharpParseOptions(LanguageVersion.Latest));
        _ = _tree.GetRoot().DescendantNodesAndTokens(descendIntoTrivia: true).Count();
    }

    /// <summary>Parsing the document from its text.</summary>
    [Benchmark(Baseline = true)]
    public SyntaxNode ParseDocument() => CSharpSyntaxTree.ParseText(_text, new CSharpParseOptions(LanguageVersion.Latest)).GetRoot();

    /// <summary>The gate's first look at every tree: the whole document's names, read from its text in one scan into a filter (<see cref="TreeNames"/>).</summary>
    [Benchmark]
    public int ReadDocumentNames() => BodySummary.OfWholeTree(_tree.GetText(), _tree.GetRoot()).Creations.Creations.Count;

    /// <summary>Building the gate's index of the parsed document.</summary>
    [Benchmark]
    public int IndexDocument() => TreeRoleIndex.Build(_tree, default).BodyCount;
}
