using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GfnGuard.Analyzers.Gate;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// The syntax gate reads bodies from their text, which is only sound if that reading never
/// misses what the tokens say: every identifier, every object creation (or a target-typed one
/// in its place), never fewer arguments. Checked on every body of this repository, of the
/// corpora and of damaged code, and on the forms the text could get wrong.
/// </summary>
public sealed class BodyTextReadingTests
{
    [Fact]
    public void EveryBodyOfTheRepositoryAndTheCorpora_ReadFromText_MissesNothingTheTokensSay()
    {
        var sources = new[] { "Analyzers", "CodeFixes", "Runtime", "Samples", "tests" }
            .SelectMany(RepositoryFiles.CSharpFilesUnder)
            .Select(File.ReadAllText)
            .Concat(CorpusGenerator.Generate(new CorpusOptions(Lines: 4000, KvmShare: 0.7, Seed: 11)).Files.Select(f => f.Text))
            .Concat(CorpusGenerator.Generate(new CorpusOptions(Lines: 2000, KvmShare: 0, Seed: 12)).Files.Select(f => f.Text));

        var (bodies, fromText) = CheckAll(sources);

        // The check must have been made on the text reading, not on its fallback.
        Assert.True(bodies > 1500, $"only {bodies} bodies");
        Assert.True(fromText > bodies * 9 / 10, $"{fromText} of {bodies} bodies read from text");
    }

    [Fact]
    public void DamagedCode_ReadFromText_MissesNothingTheTokensSay()
    {
        var random = new Random(4711);
        var seeds = CorpusGenerator.Generate(new CorpusOptions(Lines: 1500, KvmShare: 0.8, BugShare: 0.3, LinesPerFile: 100, Seed: 13)).Files.Skip(1).Select(f => f.Text).ToList();
        var mutants = Enumerable.Range(0, 400).Select(_ => TokenMutator.Mutate(seeds[random.Next(seeds.Count)], random));

        var (bodies, fromText) = CheckAll(mutants);

        Assert.True(bodies > 1000, $"only {bodies} bodies");
        Assert.True(fromText > bodies / 2, $"{fromText} of {bodies} bodies read from text");
    }

    [Theory]
    [InlineData("var r = new global::Port.kvm_gfn_range(a);", "kvm_gfn_range", true)]
    [InlineData("var r = new Port . kvm_gfn_range ( a );", "kvm_gfn_range", true)]
    [InlineData("var r = new kvm_gfn_range { OnlyPrivate = true };", "kvm_gfn_range", false)]
    [InlineData("var r = new kvm_gfn_range(\n);", "kvm_gfn_range", false)]
    [InlineData("var r = new kvm_gfn_range\n{ };", "kvm_gfn_range", false)]
    [InlineData("var r = new @kvm_gfn_range();", "kvm_gfn_range", false)]
    [InlineData("var d = new Dictionary<string, List<(int A, int B)>>(4);", "Dictionary", true)]
    [InlineData("var d = new List<Dictionary<int, int>>() { };", "List", false)]
    [InlineData("int? n = new int?();", "int", false)]
    public void ObjectCreations_AreReadWithTheirTypeAndWhetherTheyPassArguments(string statement, string type, bool withArguments)
    {
        var (text, tokens) = Read(statement);

        Assert.False(text.ReadFromTokens);
        Assert.False(text.HasImplicitCreation);
        Assert.Contains((type, withArguments), text.Creations);
        AssertCovers(text, tokens, statement);
    }

    [Theory]
    [InlineData("kvm_gfn_range r = new(a);")]
    [InlineData("kvm_gfn_range r = new ();")]
    [InlineData("var r = new /* a range */ kvm_gfn_range();")]
    [InlineData("var t = new (int, int)[3];")]
    public void CreationsTheTextCannotRead_CountAsTargetTyped(string statement)
    {
        var (text, tokens) = Read(statement);

        Assert.True(text.HasImplicitCreation);
        AssertCovers(text, tokens, statement);
    }

    [Theory]
    [InlineData("var a = new int[4]; var b = new[] { 1 }; var c = new { X = 1 }; var d = new kvm_gfn_range[2];")]
    [InlineData("var x = 0x1F + 10UL + 1e5 + 1.5f; var s = \"a\\nb\" + @\"c\"\"d\" + $\"{x}\" + 'e';")]
    [InlineData("var s = \"\"\"\n    kvm_arch_guest_memory_reclaimed\n    \"\"\";")]
    [InlineData("#if false\n kvm_arch_guest_memory_reclaimed(kvm);\n#endif\n var x = 1;")]
    public void OrdinaryForms_AreReadFromText_WithoutMissingAName(string statements)
    {
        var (text, tokens) = Read(statements);

        Assert.False(text.ReadFromTokens);
        Assert.DoesNotContain(text.Creations, c => c.Type is "int" or "kvm_gfn_range");
        AssertCovers(text, tokens, statements);
    }

    [Fact]
    public void NamesInStringsCommentsAndDisabledCode_AreKept_SoTheGateOnlyLetsMoreThrough()
    {
        var (text, tokens) = Read("var s = \"write_lock\"; // kvm_mmu_invalidate_begin\n#if NEVER\n kvm_arch_guest_memory_reclaimed(kvm);\n#endif");

        Assert.Contains("write_lock", text.Identifiers);
        Assert.Contains("kvm_mmu_invalidate_begin", text.Identifiers);
        Assert.Contains("kvm_arch_guest_memory_reclaimed", text.Identifiers);
        Assert.DoesNotContain("kvm_arch_guest_memory_reclaimed", tokens.Identifiers);
    }

    [Fact]
    public void NonAsciiNamesAndSeparators_AreReadFromText()
    {
        var (text, tokens) = Read("var café = 1; // see — the kvm_mmu_lock section\nvar Δgfn = café;");

        Assert.False(text.ReadFromTokens);
        Assert.Contains("café", text.Identifiers);
        Assert.Contains("Δgfn", text.Identifiers);
        Assert.Contains("kvm_mmu_lock", text.Identifiers);
        AssertCovers(text, tokens, "non-ASCII names");
    }

    [Fact]
    public void ReservedKeywords_AreNotNames_UnlessWrittenVerbatim()
    {
        var (text, tokens) = Read("var @if = 1; if (@if > 0) { return; } var @var = 2;");

        Assert.False(text.ReadFromTokens);
        Assert.Contains("if", text.Identifiers);
        Assert.Contains("var", text.Identifiers);
        Assert.DoesNotContain("return", text.Identifiers);
        AssertCovers(text, tokens, "verbatim names");
        var (plain, _) = Read("if (true) { return; }");
        Assert.DoesNotContain("if", plain.Identifiers);
        var (plainThenVerbatim, _) = Read("if (true) { return; } var @if = 1;");
        Assert.Contains("if", plainThenVerbatim.Identifiers);
    }

    [Fact]
    public void NamesMetByACreationFirst_AreStillNames()
    {
        var (text, tokens) = Read("var r = new kvm_gfn_range(); kvm_gfn_range s = r;");

        Assert.Contains("kvm_gfn_range", text.Identifiers);
        AssertCovers(text, tokens, "a creation's type");
    }

    [Fact]
    public void MoreNamesThanTheTableKeeps_AreAllRead()
    {
        // Past its limit the name table starts again in the middle of the scan; every name
        // must still be handed on, and each name of an earlier scan met afresh.
        var statements = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"var n{i} = {i}; "));
        var (text, tokens) = Read(statements + "kvm_arch_guest_memory_reclaimed(n0);");

        Assert.False(text.ReadFromTokens);
        Assert.Equal(tokens.Identifiers.Length, text.Identifiers.Length);
        AssertCovers(text, tokens, "40,000 names");
        var (again, _) = Read("var n1 = 1; kvm_arch_guest_memory_reclaimed(n1);");
        Assert.Contains("n1", again.Identifiers);
        Assert.Contains("kvm_arch_guest_memory_reclaimed", again.Identifiers);
    }

    [Theory]
    [InlineData("\\u006Bvm_arch_guest_memory_reclaimed(kvm);", "kvm_arch_guest_memory_reclaimed")]
    [InlineData("k\\u0076m_arch_guest_memory_reclaimed(kvm);", "kvm_arch_guest_memory_reclaimed")]
    [InlineData("var kvm\u200Dx = 1;", "kvmx")]
    [InlineData("var \U0001D465 = 1; kvm_arch_guest_memory_reclaimed(kvm);", "kvm_arch_guest_memory_reclaimed")]
    [InlineData("kvm_arch_guest_memory_reclaimed(kvm", "kvm_arch_guest_memory_reclaimed")]
    public void TextOnlyTheLexerReadsRight_IsReadFromTheTokens(string statements, string name)
    {
        var (text, tokens) = Read(statements);

        Assert.True(text.ReadFromTokens);
        Assert.Contains(name, text.Identifiers);
        AssertCovers(text, tokens, statements);
        // The whole tree, read for the gate, falls back to its tokens too.
        var whole = TreeNames.For(Parse(statements), default);
        Assert.True(whole.ReadFromTokens);
        Assert.True(whole.Spells(name), name);
    }

    /// <summary><paramref name="statements"/> as the body of a method, parsed.</summary>
    private static SyntaxTree Parse(string statements) =>
        CSharpSyntaxTree.ParseText("class C { void M() {\n" + statements + "\n} }", new CSharpParseOptions(LanguageVersion.Latest));

    private static (BodySummary Text, BodySummary Tokens) Read(string statements)
    {
        var tree = Parse(statements);
        var body = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single().Body!;
        return (BodySummary.Of(tree.GetText(), body), BodySummary.OfTokens(body));
    }

    /// <summary>Checks every body part of every source; returns how many there were and how many were read from text.</summary>
    private static (int Bodies, int FromText) CheckAll(IEnumerable<string> sources)
    {
        var bodies = 0;
        var fromText = 0;
        foreach (var source in sources)
        {
            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
            var text = tree.GetText();
            AssertTreeCovers(tree);
            foreach (var part in tree.GetRoot().DescendantNodes(descendIntoChildren: n => !IsBodyPart(n)).Where(IsBodyPart))
            {
                var read = BodySummary.Of(text, part);
                AssertCovers(read, BodySummary.OfTokens(part), part.ToString());
                bodies++;
                fromText += read.ReadFromTokens ? 0 : 1;
            }
        }

        return (bodies, fromText);
    }

    /// <summary>The whole tree's reading (<see cref="TreeNames"/>) may spell every name and construct every type its tokens do.</summary>
    private static void AssertTreeCovers(SyntaxTree tree)
    {
        var (names, creations) = BodySummary.OfWholeTree(tree.GetText(), tree.GetRoot());
        var tokens = BodySummary.OfTokens(tree.GetRoot());
        var missing = tokens.Identifiers.Where(name => !names.MayContain(name)).ToList();
        Assert.True(missing.Count == 0, $"the whole-tree reading missed {string.Join(", ", missing)}");
        Assert.True(!tokens.HasImplicitCreation || creations.HasImplicitCreation, "the whole-tree reading missed a target-typed creation");
        if (!creations.HasImplicitCreation)
        {
            foreach (var (type, withArguments) in tokens.Creations)
            {
                Assert.True(creations.Creations.Any(c => c.Type == type && (c.WithArguments || !withArguments)), $"the whole-tree reading missed new {type}");
            }
        }
    }

    private static bool IsBodyPart(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ConstructorInitializerSyntax;

    private static void AssertCovers(BodySummary text, BodySummary tokens, string source)
    {
        var missing = tokens.Identifiers.Except(text.Identifiers, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"the text reading missed {string.Join(", ", missing)} in:\n{source}");
        Assert.True(!tokens.HasImplicitCreation || text.HasImplicitCreation, "missed a target-typed creation in:\n" + source);
        if (!text.HasImplicitCreation)
        {
            foreach (var (type, withArguments) in tokens.Creations)
            {
                Assert.True(
                    text.Creations.Any(c => c.Type == type && (c.WithArguments || !withArguments)),
                    $"missed new {type}({(withArguments ? "..." : "")}) in:\n{source}");
            }
        }
    }
}
