using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>The analyzers on generated port code: exact on realistic methods, silent and cheap on ordinary code.</summary>
public sealed class CorpusTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KvmCorpus_OneDiagnosticPerBrokenMethod_AndNoOther(int seed)
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 6000, KvmShare: 0.8, BugShare: 0.1, Seed: seed));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        Assert.True(corpus.BrokenMethods > 5, "the corpus should break some contracts");
        Assert.Equal(corpus.BrokenMethods, outcome.Diagnostics.Length);
        Assert.Equal(new[] { "KVM0001", "KVM0002", "KVM0003" }, outcome.Diagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal));
    }

    [Fact]
    public async Task OrdinaryCode_GetsNoDiagnostic_AndNoControlFlowGraph()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 6000, KvmShare: 0));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        Assert.Empty(outcome.Diagnostics);
        Assert.Equal(0, compilation.SyntaxTrees.Sum(MethodFlowRunner.GraphsBuilt));
    }

    [Fact]
    public async Task KvmCorpus_BuildsGraphsOnlyForMethodsWithARole()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 3000, KvmShare: 0.5, Seed: 7));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        // Three rules may each build a graph for a KVM method; ordinary methods get none.
        var kvmMethods = corpus.Files.Sum(f => CountKvmMethods(f.Text));
        var graphs = compilation.SyntaxTrees.Sum(MethodFlowRunner.GraphsBuilt);
        Assert.InRange(graphs, 1, 3 * kvmMethods);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task KvmCorpus_EveryFixCompilesClearsItsDiagnosticAndAgreesWithFixAll(int seed)
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 1200, KvmShare: 0.9, BugShare: 0.3, LinesPerFile: 300, Seed: seed));

        await Verifiers.FixProperties.CheckAsync(corpus.Files.Select(f => (f.Name, f.Text)), System.Array.Empty<(string, string)>(), withRuntime: false);
    }

    private static int CountKvmMethods(string text) =>
        text.Split('\n').Count(line => line.Contains("(kvm kvm", System.StringComparison.Ordinal) || line.Contains("(ref kvm_gfn_range", System.StringComparison.Ordinal) || line.Contains("kvm_gfn_range make_range_", System.StringComparison.Ordinal));
}
