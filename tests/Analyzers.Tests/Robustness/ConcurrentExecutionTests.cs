using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Corpus;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Concurrent execution is enabled in every rule. On a large corpus, run many times on fresh
/// compilations, concurrently and not, the diagnostics must be the same every time.
/// </summary>
public sealed class ConcurrentExecutionTests
{
    [Fact]
    public async Task LargeCorpus_SameDiagnosticsOnEveryRun()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 20000, KvmShare: 0.7, BugShare: 0.05, Seed: 11));
        var sources = corpus.Files.Select(f => (f.Name, f.Text)).ToList();

        var sequential = await AnalyzerRun.AnalyzeAsync(await AnalyzerRun.CompileAsync(sources), concurrent: false);
        Assert.Empty(sequential.Exceptions);
        Assert.Equal(corpus.BrokenMethods, sequential.Diagnostics.Length);

        for (var run = 0; run < 5; run++)
        {
            // A fresh compilation each time, so nothing computed by an earlier run is reused.
            var concurrent = await AnalyzerRun.AnalyzeAsync(await AnalyzerRun.CompileAsync(sources), concurrent: true);
            Assert.Empty(concurrent.Exceptions);
            Assert.Equal(sequential.Lines, concurrent.Lines);
        }
    }

    [Fact]
    public async Task ManyAnalysesAtOnce_OnOneCompilation_AgreeWithEachOther()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 8000, KvmShare: 0.7, BugShare: 0.05, Seed: 12));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => AnalyzerRun.AnalyzeAsync(compilation, concurrent: true))));

        Assert.All(outcomes, o => Assert.Empty(o.Exceptions));
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Lines, o.Lines));
        Assert.Equal(corpus.BrokenMethods, outcomes[0].Diagnostics.Length);
    }
}
