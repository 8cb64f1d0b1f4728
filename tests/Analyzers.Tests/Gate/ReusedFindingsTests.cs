using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// A keystroke's compilation reuses what the rules found in the bodies the edit cannot have
/// changed (<see cref="BodyResults"/>). Every compilation of a chain of edits must report exactly
/// what a compilation of the same texts parsed afresh (which reuses nothing) reports, and the
/// reuse must happen where it can, or these tests would not be testing it.
/// </summary>
[Collection(nameof(RecentGatesCollection))]
public sealed class ReusedFindingsTests
{
    private const string Helpers = """
        using static Kernel;
        static class Helpers
        {
            public static void helper(kvm kvm)
            {
                var unused = 0;
            }

            public static bool zap(ref kvm_gfn_range range) => range.end > range.start;

            public static bool zap_filtered(bool p, bool s)
            {
                var r = new kvm_gfn_range { only_private = p, only_shared = s };
                return zap(ref r);
            }
        }
        """;

    private const string Port = """
        using static Kernel;
        static class Port
        {
            static void under_lock(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                Helpers.helper(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void buggy(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void unrelated(kvm kvm)
            {
                var x = 1;
                var shared = new kvm_gfn_range { only_shared = true };
            }
        }
        """;

    public ReusedFindingsTests() => AnalysedBodies.Recording = true;

    [Fact]
    public async Task EachEdit_ReportsWhatAFreshCompilationReports_AndReusesWhatItCannotHaveChanged()
    {
        Compilation compilation = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers), ("Port.cs", Port) });
        await AnalyzerRun.AnalyzeAsync(compilation);

        // The first keystroke's compilation records; nothing before it did.
        compilation = await StepAsync(compilation, "Port.cs", text => text + "// one\n");

        // A comment typed on its line: no body of the document bound again, the reclaim reported again.
        var (after, boundInPort) = await StepCountingAsync(compilation, "Port.cs", text => text.Replace("// one", "// once", StringComparison.Ordinal));
        Assert.Equal(0, boundInPort);

        // Lines added: only the body with a finding (whose message quotes a line) is analysed again.
        (after, boundInPort) = await StepCountingAsync(after, "Port.cs", text => text + "// two\n// three\n");
        Assert.Equal(1, boundInPort);
        compilation = after;

        // A line inserted above the reclaim: its message quotes the lock's new line.
        compilation = await StepAsync(compilation, "Port.cs", text => text.Replace("    static void buggy", "    // moved\n    static void buggy", StringComparison.Ordinal));

        // The helper called under the lock in another file starts to reclaim: the caller is now reported.
        compilation = await StepAsync(compilation, "Helpers.cs", text => text.Replace("var unused = 0;", "var unused = 0; kvm_arch_guest_memory_reclaimed(kvm);", StringComparison.Ordinal), expect: d => d.Contains("KVM0003 Port.cs(6,", StringComparison.Ordinal));

        // And stops again.
        compilation = await StepAsync(compilation, "Helpers.cs", text => text.Replace(" kvm_arch_guest_memory_reclaimed(kvm);", string.Empty, StringComparison.Ordinal), expect: d => !d.Contains("KVM0003 Port.cs(6,", StringComparison.Ordinal));

        // A body edit in another file that gives zap_filtered its first caller: the report in
        // zap_filtered's own (unedited) body goes, and the call decides. The edited body already
        // stored a flag, so the gate's names do not change: only the edit's own calls tell.
        var before = await LinesAsync(compilation);
        Assert.Contains(before, line => line.StartsWith("KVM0001 Helpers.cs", StringComparison.Ordinal));
        compilation = await StepAsync(compilation, "Port.cs", text => text.Replace("var x = 1;", "var x = Helpers.zap_filtered(true, false);", StringComparison.Ordinal), expect: d => !d.Contains("KVM0001 Helpers.cs", StringComparison.Ordinal));

        // A call that passes true for both is reported at the call.
        compilation = await StepAsync(compilation, "Port.cs", text => text.Replace("zap_filtered(true, false)", "zap_filtered(true, true)", StringComparison.Ordinal), expect: d => d.Contains("KVM0001 Port.cs", StringComparison.Ordinal));

        // A comment inside the buggy body, then a declaration added: both analysed as from scratch.
        compilation = await StepAsync(compilation, "Port.cs", text => text.Replace("kvm_arch_guest_memory_reclaimed(kvm);", "kvm_arch_guest_memory_reclaimed(kvm); // here", StringComparison.Ordinal));
        await StepAsync(compilation, "Port.cs", text => text.Replace("    static void unrelated", "    static void added(kvm kvm) { KVM_MMU_LOCK(kvm); KVM_MMU_LOCK(kvm); KVM_MMU_UNLOCK(kvm); }\n\n    static void unrelated", StringComparison.Ordinal), expect: d => d.Contains("KVM0007 Port.cs", StringComparison.Ordinal));
    }

    /// <summary>
    /// As an editor makes them: each text made from the last with one change (so the edit is read
    /// from the change itself), and the diagnostics asked for one document.
    /// </summary>
    [Fact]
    public async Task TheIde_AskingForOneDocument_GetsWhatAFreshCompilationGives()
    {
        Compilation compilation = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers), ("Port.cs", Port) });
        var reused = 0;
        foreach (var (file, find, replacement) in new[]
        {
            ("Port.cs", "}", "}// one\n"),
            ("Port.cs", "// one", "// once"),
            ("Port.cs", "        KVM_MMU_UNLOCK(kvm);\n    }\n\n    static void unrelated", "    }\n\n    static void unrelated"),
            ("Port.cs", "// once", "// twice"),
            ("Helpers.cs", "var unused = 0;", "var unused = 0; kvm_arch_guest_memory_reclaimed(kvm);"),
            ("Port.cs", "// twice", "// thrice"),
            ("Port.cs", "var x = 1;", "var x = 1; KVM_MMU_LOCK(kvm);"),
            ("Port.cs", "// thrice", "// four"),
        })
        {
            var tree = compilation.SyntaxTrees.Single(t => t.FilePath == file);
            var text = tree.GetText();
            var at = file == "Port.cs" && find == "}" ? text.ToString().LastIndexOf(find, StringComparison.Ordinal) : text.ToString().IndexOf(find, StringComparison.Ordinal);
            Assert.True(at >= 0, find);
            compilation = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, find.Length), replacement))));
            var port = compilation.SyntaxTrees.Single(t => t.FilePath == "Port.cs");
            var fresh = Fresh(compilation);
            Assert.Equal(
                await DocumentLinesAsync(fresh, fresh.SyntaxTrees.Single(t => t.FilePath == "Port.cs")),
                await DocumentLinesAsync(compilation, port));
            reused += file == "Port.cs" && AnalysedBodies.Bound(port).Count == 0 ? 1 : 0;
        }

        Assert.True(reused >= 3, $"reused in {reused} edits");
    }

    /// <summary>
    /// Two keystrokes' compilations made from the same one (two edits racing, or an undo) and
    /// each analysed by several hosts at once: every analysis reports what a fresh compilation
    /// of its texts reports.
    /// </summary>
    [Fact]
    public async Task CompilationsGrownFromOneCompilation_AnalysedConcurrently_EachReportWhatAFreshOneReports()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 2000, KvmShare: 0.9, BugShare: 0.3, LinesPerFile: 500, Seed: 7));
        Compilation compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));
        await AnalyzerRun.AnalyzeAsync(compilation);
        compilation = await StepAsync(compilation, corpus.Files[1].Name, text => text + "// one\n");
        compilation = await StepAsync(compilation, corpus.Files[1].Name, text => text + "// two\n");

        var edits = new Func<string, string>[]
        {
            text => text + "// three\n",
            text => text.Replace("// two", "// too", StringComparison.Ordinal),
            text => RandomEdit(text, 2, 5, new[] { "kvm_arch_guest_memory_reclaimed(kvm);" }),
            text => RandomEdit(text, 2, 11, new[] { "KVM_MMU_UNLOCK(kvm);" }),
        };
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == corpus.Files[1].Name);
        var keystrokes = edits.Select(edit => compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(edit(tree.GetText().ToString()))))).ToList();
        var expected = new List<IReadOnlyList<string>>();
        foreach (var keystroke in keystrokes)
        {
            expected.Add(await LinesAsync(Fresh(keystroke)));
        }

        var runs = keystrokes.SelectMany((keystroke, i) => Enumerable.Range(0, 3).Select(_ => (Index: i, Run: Task.Run(() => LinesAsync(keystroke))))).ToList();
        using var watchdog = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var all = Task.WhenAll(runs.Select(r => r.Run));
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(Timeout.Infinite, watchdog.Token)));
        foreach (var (index, run) in runs)
        {
            Assert.Equal(expected[index], await run);
        }
    }

    /// <summary>Random edits of a generated port: comments, statements and declarations added and lines removed, each compared with a fresh compilation.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RandomEdits_OfAGeneratedPort_ReportWhatAFreshCompilationReports(int seed)
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 2000, KvmShare: 0.9, BugShare: 0.3, LinesPerFile: 500, Seed: seed));
        Compilation compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));
        var random = new Random(seed);
        string[] statements =
        {
            "kvm_arch_guest_memory_reclaimed(kvm);", "KVM_MMU_LOCK(kvm);", "KVM_MMU_UNLOCK(kvm);", "kvm_flush_remote_tlbs(kvm);",
            "var typed = 0;", "write_lock(kvm.mmu_lock);",
        };
        var reused = 0;
        const int Steps = 24;
        for (var step = 0; step < Steps; step++)
        {
            var file = corpus.Files[1 + random.Next(corpus.Files.Count - 1)].Name;
            var kind = random.Next(5);
            var pick = random.Next(1000);
            var (after, bound) = await StepCountingAsync(compilation, file, text => RandomEdit(text, kind, pick, statements));
            var fresh = Fresh(after);
            await AnalyzerRun.AnalyzeAsync(fresh);
            if (bound < AnalysedBodies.Bound(fresh.SyntaxTrees.Single(t => t.FilePath == file)).Count)
            {
                reused++;
            }

            compilation = after;
        }

        Assert.True(reused >= Steps / 4, $"reused in {reused} of {Steps} edits");
    }

    private static string RandomEdit(string text, int kind, int pick, string[] statements)
    {
        var lines = text.Split('\n').ToList();
        var bodyLines = Enumerable.Range(0, lines.Count).Where(i => lines[i].TrimEnd().EndsWith(';') && lines[i].StartsWith("            ", StringComparison.Ordinal)).ToList();
        var at = bodyLines.Count == 0 ? lines.Count - 1 : bodyLines[pick % bodyLines.Count];
        switch (kind)
        {
            case 0:
                lines.Insert(pick % lines.Count, "// a note " + pick);
                break;
            case 1:
                lines[at] += " /* " + pick + " */";
                break;
            case 2:
                lines.Insert(at + 1, "            " + statements[pick % statements.Length]);
                break;
            case 3:
                lines.RemoveAt(at);
                break;
            default:
                var type = lines.FindIndex(l => l.Contains("public static class", StringComparison.Ordinal));
                lines.Insert(type + 2, "        static void added_" + pick + "(kvm kvm) { KVM_MMU_LOCK(kvm); kvm_arch_guest_memory_reclaimed(kvm); KVM_MMU_UNLOCK(kvm); }");
                break;
        }

        return string.Join('\n', lines);
    }

    /// <summary>Edits one file, analyses the keystroke's compilation and a fresh one of the same texts, and checks both report the same.</summary>
    private static async Task<Compilation> StepAsync(Compilation compilation, string file, Func<string, string> edit, Func<string, bool>? expect = null)
    {
        var (after, _) = await StepCountingAsync(compilation, file, edit);
        if (expect is not null)
        {
            var lines = await LinesAsync(Fresh(after));
            Assert.True(expect(string.Join("\n", lines)), string.Join("\n", lines) + "\n" + after.SyntaxTrees.Single(t => t.FilePath == file).GetText());
        }

        return after;
    }

    /// <summary>As <see cref="StepAsync"/>, with how many bodies of the edited tree the keystroke's compilation bound.</summary>
    private static async Task<(Compilation After, int Bound)> StepCountingAsync(Compilation compilation, string file, Func<string, string> edit)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == file);
        var after = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(edit(tree.GetText().ToString()))));
        var reusing = await LinesAsync(after);
        var fresh = await LinesAsync(Fresh(after));
        Assert.Equal(fresh, reusing);
        return (after, AnalysedBodies.Bound(after.SyntaxTrees.Single(t => t.FilePath == file)).Count);
    }

    /// <summary>The same texts parsed again: no tree is shared with any earlier compilation, so nothing is reused.</summary>
    private static Compilation Fresh(Compilation compilation) =>
        compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), (CSharpParseOptions)t.Options, t.FilePath)));

    private static async Task<IReadOnlyList<string>> LinesAsync(Compilation compilation)
    {
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);
        Assert.Empty(outcome.Exceptions);
        return Describe(outcome.Diagnostics);
    }

    private static async Task<IReadOnlyList<string>> DocumentLinesAsync(Compilation compilation, SyntaxTree tree)
    {
        var withAnalyzers = compilation.WithAnalyzers(AnalyzerRun.All, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        return Describe(await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), filterSpan: null, CancellationToken.None));
    }

    /// <summary>Each diagnostic as one line: id, place, message, every additional place and every property.</summary>
    private static IReadOnlyList<string> Describe(ImmutableArray<Diagnostic> diagnostics) => diagnostics
        .Select(d => $"{d.Id} {Place(d.Location)} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} [{string.Join("; ", d.AdditionalLocations.Select(Place))}] {{{string.Join("; ", d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value))}}}")
        .OrderBy(l => l, StringComparer.Ordinal)
        .ToList();

    private static string Place(Location location) => $"{location.SourceTree?.FilePath}{location.GetLineSpan().Span}@{location.SourceSpan}";
}
