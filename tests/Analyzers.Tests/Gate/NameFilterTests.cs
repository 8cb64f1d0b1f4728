using System;
using System.Linq;
using GfnGuard.Analyzers.Gate;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis.CSharp;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// The whole-tree name filter must never say "absent" for a name it holds (the gate would skip
/// a tree it needs), and must say "absent" for almost every name it does not hold (or every
/// tree of ordinary code would be indexed, and the filter would be worth nothing).
/// </summary>
public sealed class NameFilterTests
{
    [Fact]
    public void AddedNames_AreAlwaysMaybe_AndOthersAlmostNeverAre()
    {
        var random = new Random(2024);
        var added = Enumerable.Range(0, 5_000).Select(_ => RandomName(random)).ToHashSet(StringComparer.Ordinal);
        // A filter for text of 5,000 names at the sparsest port code reads them (one per 25
        // characters), filled, then folded to what the names need, as a tree's is.
        var filling = NameFilter.Scratch(textLength: added.Count * 25);
        foreach (var name in added)
        {
            filling.AddName(name);
        }

        var filter = filling.Compact();

        Assert.InRange(filling.EstimatedNames(), 0.97 * added.Count, 1.03 * added.Count);
        Assert.InRange(filter.Bits, 32 * added.Count, 64 * added.Count);
        Assert.All(added, name => Assert.True(filter.MayContain(name), name));
        var others = Enumerable.Range(0, 100_000).Select(_ => RandomName(random)).Where(n => !added.Contains(n)).ToList();
        var falseMaybes = others.Count(filter.MayContain);
        Assert.True(falseMaybes < others.Count / 1_000, $"{falseMaybes} of {others.Count} absent names read as maybe");
    }

    [Fact]
    public void TreesOfOrdinaryCode_DoNotSpellTheKernelsNames()
    {
        // Every name of the catalogue, and every prefix.
        var kernelNames = RoleCatalog.All.SelectMany(role => role.Names.Concat(role.Prefixes))
            .Concat(RoleCatalog.LockPrimitives).Concat(RoleCatalog.OnlyPrivateMembers).Concat(RoleCatalog.OnlySharedMembers)
            .Concat(RoleCatalog.HvaRangeParameterTypes).Concat(RoleCatalog.HvaWalkMethods)
            .ToList();
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 20_000, KvmShare: 0, Seed: 21));
        var ordinary = corpus.Files.Skip(1).Select(f => CSharpSyntaxTree.ParseText(f.Text)).ToList();

        var maybe = ordinary.SelectMany(tree => kernelNames.Where(TreeNames.For(tree, default).Spells)).ToList();

        Assert.True(ordinary.Count > 20, $"only {ordinary.Count} trees");
        Assert.Empty(maybe);
        // And the kernel file, which does declare them, spells them.
        var kernel = TreeNames.For(CSharpSyntaxTree.ParseText(corpus.Files[0].Text), default);
        Assert.True(kernel.Spells("kvm_gfn_range"));
    }

    [Fact]
    public void PopCount_CountsEveryBit()
    {
        var random = new Random(7);
        var buffer = new byte[8];
        for (var i = 0; i < 10_000; i++)
        {
            random.NextBytes(buffer);
            var value = BitConverter.ToUInt64(buffer, 0);

            Assert.Equal(System.Numerics.BitOperations.PopCount(value), NameFilter.PopCount(value));
        }

        Assert.Equal(64, NameFilter.PopCount(ulong.MaxValue));
    }

    [Fact]
    public void TheScratchFilter_IsEmptiedForEachTree()
    {
        var first = NameFilter.Scratch(textLength: 1_000);
        first.AddName("kvm_gfn_range");
        _ = first.Compact();

        var second = NameFilter.Scratch(textLength: 1_000).Compact();

        Assert.False(second.MayContain("kvm_gfn_range"));
    }

    [Fact]
    public void ASmallTree_KeepsASmallFilter()
    {
        // Folded from the two bits per character it is filled at to what its few names need.
        var tree = CSharpSyntaxTree.ParseText("static class C\n{\n" + string.Concat(Enumerable.Repeat("    // a long comment about nothing in particular, repeated\n", 400)) + "}\n");

        var names = TreeNames.For(tree, default);

        Assert.True(tree.Length > 20_000);
        Assert.True(names.FilterBits <= 1 << 10, $"{names.FilterBits} bits");
        Assert.True(names.Spells("particular"));
    }

    [Theory]
    [InlineData("static class C { static void kvm_mmu_notifier_release() { } }", true)]
    [InlineData("static class C { static void kvm_mmu_notifier_release() { } ", true)] // an error: read from the tokens
    [InlineData("static class C { static void kvm_mmu_notifier_() { } }", true)] // the prefix is itself a name (and IsHvaPathMethod takes it)
    [InlineData("static class C { static void kvm_mmu_notifie_release() { } }", false)]
    [InlineData("static class C { static void release() { } }", false)]
    public void ANameWithTheNotifierPrefix_SpellsThePrefix(string source, bool spells)
    {
        var tree = CSharpSyntaxTree.ParseText(source);

        var names = TreeNames.For(tree, default);

        Assert.Equal(spells, names.Spells(RoleCatalog.HvaPathMethods.Prefixes[0]));
        Assert.Equal(source.EndsWith("} ", StringComparison.Ordinal), names.ReadFromTokens);
    }

    private static string RandomName(Random random) =>
        new string(Enumerable.Range(0, random.Next(3, 24)).Select(_ => "abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJ0123456789"[random.Next(47)]).ToArray()) is var n && char.IsDigit(n[0]) ? "x" + n : n;
}
