using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// After a keystroke the gate grows its closures from the gate of the compilation before
/// (<see cref="GfnGuard.Analyzers.Gate.NameClosure"/>). It may keep a name the edit removed,
/// but must find every name the edit added, and the rules must answer as they do from scratch.
/// </summary>
public sealed class IncrementalGateTests
{
    private const string Helpers = """
        using static Kernel;
        static class Helpers
        {
            static void take(kvm kvm) => KVM_MMU_LOCK(kvm);
        }
        """;

    private const string Port = """
        using static Kernel;
        static class Port
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """;

    [Fact]
    public async Task AnEditThatAddsALockHelper_IsFound_ByTheGateGrownFromTheLastOne()
    {
        var before = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers), ("Port.cs", Port) });
        var first = AnalyzerRun.GateOf(before);
        Assert.True(first.MayTouchTheLock("take"));
        Assert.False(first.MayTouchTheLock("drop_it"));

        // The keystroke: a new helper that drops the lock, and a second one that only calls it.
        var helpers = before.SyntaxTrees.Single(t => t.FilePath == "Helpers.cs");
        var edited = helpers.WithChangedText(helpers.GetText().Replace(
            helpers.GetText().ToString().IndexOf("static void take", System.StringComparison.Ordinal), 0,
            "static void drop_it(kvm kvm) => KVM_MMU_UNLOCK(kvm);\n    static void via(kvm kvm) => drop_it(kvm);\n    "));
        var after = before.ReplaceSyntaxTree(helpers, edited);
        var second = AnalyzerRun.GateOf(after);

        Assert.True(second.MayTouchTheLock("drop_it"));
        Assert.True(second.MayTouchTheLock("via"));
        Assert.True(second.MayTouchTheLock("take"));
    }

    [Fact]
    public async Task KeystrokesInAPort_GetTheDiagnosticsOfAFreshAnalysis()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 3000, KvmShare: 0.8, BugShare: 0.1, Seed: 11));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);
        Assert.NotEmpty(outcome.Diagnostics);

        // Each keystroke replaces one file with itself plus a comment, as typing does, then
        // deletes a method body's first statement; every analysis after it (whose gate grows from
        // the one before) must equal an analysis from scratch of the same code.
        var current = compilation;
        foreach (var file in corpus.Files.Take(6))
        {
            var tree = current.SyntaxTrees.Single(t => t.FilePath == file.Name);
            var text = tree.GetText();
            var typed = tree.WithChangedText(text.WithChanges(new Microsoft.CodeAnalysis.Text.TextChange(new Microsoft.CodeAnalysis.Text.TextSpan(text.Length, 0), "\n// typed\n")));
            current = current.ReplaceSyntaxTree(tree, typed);
            var incremental = await AnalyzerRun.AnalyzeAsync(current);

            var fresh = await AnalyzerRun.CompileAsync(current.SyntaxTrees.Select(t => (t.FilePath, t.GetText().ToString())));
            var scratch = await AnalyzerRun.AnalyzeAsync(fresh);

            Assert.Empty(incremental.Exceptions);
            Assert.Equal(scratch.Lines, incremental.Lines);
        }
    }
}
