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

        // The grown closure starts as the earlier one's own set and copies it before adding a
        // name: the earlier gate (still answering its own compilation) must not see the new names.
        Assert.False(first.MayTouchTheLock("drop_it"));
        Assert.False(first.MayTouchTheLock("via"));
    }

    /// <summary>
    /// The flag helpers are the flag closure's own found set, which a grown closure shares until
    /// it adds a name: adding one must copy it first, or the earlier gate would let through a
    /// body that calls a helper its compilation does not have.
    /// </summary>
    [Fact]
    public async Task AnEditThatAddsAFlagHelper_LeavesTheEarlierGatesHelpersAsTheyWere()
    {
        const string Marks = """
            static class Marks
            {
                static void N(kvm_gfn_range range) => mark(range);
            }
            """;
        var before = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers), ("Marks.cs", Marks) });
        var first = AnalyzerRun.GateOf(before);

        var helpers = before.SyntaxTrees.Single(t => t.FilePath == "Helpers.cs");
        var edited = helpers.WithChangedText(helpers.GetText().Replace(
            helpers.GetText().ToString().IndexOf("static void take", System.StringComparison.Ordinal), 0,
            "static void mark(kvm_gfn_range range) { range.only_private = true; range.only_shared = true; }\n    "));
        var after = before.ReplaceSyntaxTree(helpers, edited);
        var second = AnalyzerRun.GateOf(after);

        // Asked only now, so that the first gate judges the tree with its helpers as they are after the edit.
        Assert.True(second.MaySetBothFlags(Declaration(after, "N")));
        Assert.False(first.MaySetBothFlags(Declaration(before, "N")));

        static SyntaxNode Declaration(Compilation compilation, string name) =>
            compilation.SyntaxTrees.Single(t => t.FilePath == "Marks.cs").GetRoot().DescendantNodes()
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
    }

    [Fact]
    public async Task AnEditThatAddsNoName_KeepsTheLastGatesAnswers_AndAnEditAfterItStillGrows()
    {
        var before = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers), ("Port.cs", Port) });
        var first = AnalyzerRun.GateOf(before);

        // A comment typed: no tree spells a name it did not, so the closures are the last ones.
        var port = before.SyntaxTrees.Single(t => t.FilePath == "Port.cs");
        var typed = port.WithChangedText(port.GetText().Replace(port.GetText().Length, 0, "\n// typed\n"));
        var commented = before.ReplaceSyntaxTree(port, typed);
        var second = AnalyzerRun.GateOf(commented);
        Assert.True(second.MayTouchTheLock("take"));
        Assert.False(second.MayTouchTheLock("drop_it"));

        // The next keystroke grows from that gate, whose closure is the first one's, and must
        // still leave the first untouched.
        var helpers = commented.SyntaxTrees.Single(t => t.FilePath == "Helpers.cs");
        var edited = helpers.WithChangedText(helpers.GetText().Replace(
            helpers.GetText().ToString().IndexOf("static void take", System.StringComparison.Ordinal), 0,
            "static void drop_it(kvm kvm) => KVM_MMU_UNLOCK(kvm);\n    "));
        var third = AnalyzerRun.GateOf(commented.ReplaceSyntaxTree(helpers, edited));
        Assert.True(third.MayTouchTheLock("drop_it"));
        Assert.False(second.MayTouchTheLock("drop_it"));
        Assert.False(first.MayTouchTheLock("drop_it"));
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
