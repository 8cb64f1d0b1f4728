using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>The analyzers on generated port code: exact on realistic methods, silent and cheap on ordinary code.</summary>
public sealed class CorpusTests
{
    public CorpusTests() => AnalysedBodies.Recording = true;

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
    public async Task OrdinaryCode_GetsNoDiagnostic_NoOperationTree_AndNoControlFlowGraph()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 6000, KvmShare: 0));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        Assert.Empty(outcome.Diagnostics);
        // Only the corpus's kernel file (the first) has methods with a role.
        var generated = compilation.SyntaxTrees.Where(t => t.FilePath != corpus.Files[0].Name).ToList();
        Assert.Equal(corpus.Files.Count - 1, generated.Count);
        // The kernel file's HVA handler is bound: the record was kept, so its emptiness below says something.
        Assert.NotEmpty(AnalysedBodies.Bound(compilation.SyntaxTrees.Single(t => t.FilePath == corpus.Files[0].Name)));
        Assert.Empty(generated.SelectMany(AnalysedBodies.Bound));
        Assert.Empty(generated.SelectMany(AnalysedBodies.Graphed));
    }

    /// <summary>
    /// Real code writes target-typed new() everywhere (Serilog: 63 times in 28 of 112 files), and
    /// a target-typed new spells no type, so it might make a gfn range. It cannot where no range
    /// type exists: none is spelled and no referenced library declares one. Before the gate knew
    /// that, KVM0001 bound 48 of Serilog's 772 bodies.
    /// </summary>
    [Fact]
    public async Task OrdinaryCodeWithTargetTypedNew_AndNoRangeTypeAnywhere_BindsNoBody()
    {
        const string Ordinary = """
            using System.Collections.Generic;
            namespace Logging
            {
                public sealed class Event { public Event(string text, int level) { Text = text; Level = level; } public string Text { get; } public int Level { get; } }
                public sealed class Sink
                {
                    private readonly List<Event> _events = new();
                    private readonly Dictionary<string, int> _counts = new(System.StringComparer.Ordinal);
                    public void Emit(string text) => Add(new(text, 1));
                    public void Add(Event e) { _events.Add(e); _counts[e.Text] = _counts.TryGetValue(e.Text, out var n) ? n + 1 : 1; }
                    public Event Last() { Event e = new("last", _events.Count); return e; }
                }
            }
            """;
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Sink.cs", Ordinary) }, withRuntime: false);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        Assert.Empty(outcome.Diagnostics);
        var tree = compilation.SyntaxTrees.Single();
        Assert.True(GfnGuard.Analyzers.Gate.TreeNames.For(tree, default).HasImplicitCreation, "the text reading must see the target-typed new");
        Assert.Empty(AnalysedBodies.Bound(tree));
    }

    [Fact]
    public async Task KvmCorpus_BindsAndGraphsOnlyMethodsWithARole()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 3000, KvmShare: 0.5, Seed: 7));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        var bound = compilation.SyntaxTrees.SelectMany(AnalysedBodies.Bound).ToList();
        var graphed = compilation.SyntaxTrees.SelectMany(AnalysedBodies.Graphed).ToList();
        Assert.Contains(corpus.Files, f => f.Text.Contains("parse_config_", System.StringComparison.Ordinal));
        Assert.DoesNotContain(bound, declaration => CorpusGenerator.IsOrdinaryMember(MemberName(declaration)));
        Assert.NotEmpty(graphed);
        Assert.All(graphed, declaration => Assert.Contains(declaration, bound));

        // Every method built from a template that reclaims under a lock it takes must be
        // bound: the gate may not skip one of them.
        var reclaimers = compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Where(m => m.Identifier.ValueText.StartsWith("zap_slot_", System.StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(reclaimers);
        Assert.All(reclaimers, method => Assert.Contains(method, bound));
    }

    private static string MemberName(SyntaxNode declaration) => declaration.AncestorsAndSelf().Select(node => node switch
    {
        MethodDeclarationSyntax method => method.Identifier.ValueText,
        VariableDeclaratorSyntax variable => variable.Identifier.ValueText,
        PropertyDeclarationSyntax property => property.Identifier.ValueText,
        ConstructorDeclarationSyntax constructor => constructor.Identifier.ValueText,
        BaseTypeDeclarationSyntax type => type.Identifier.ValueText,
        _ => null,
    }).FirstOrDefault(name => name is not null) ?? declaration.ToString();

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task KvmCorpus_EveryFixCompilesClearsItsDiagnosticAndAgreesWithFixAll(int seed)
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 1200, KvmShare: 0.9, BugShare: 0.3, LinesPerFile: 300, Seed: seed));

        await Verifiers.FixProperties.CheckAsync(corpus.Files.Select(f => (f.Name, f.Text)), System.Array.Empty<(string, string)>(), withRuntime: false);
    }
}
