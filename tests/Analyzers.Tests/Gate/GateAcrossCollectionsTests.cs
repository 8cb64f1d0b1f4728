using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Analyzers.Tests.Rules;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>Run alone: the recent gates are process-wide, and other tests' gates would push this one's out.</summary>
[CollectionDefinition(nameof(RecentGatesCollection), DisableParallelization = true)]
public sealed class RecentGatesCollection
{
}

/// <summary>
/// The gate of a keystroke's compilation grows from the last one (<see cref="GfnGuard.Analyzers.Gate.RecentGates"/>)
/// even when the host dropped that compilation and a collection ran in between, and the kept
/// gate holds neither that compilation nor the trees only it had.
/// </summary>
[Collection(nameof(RecentGatesCollection))]
public sealed class GateAcrossCollectionsTests
{
    private const string Helpers = """
        using static Kernel;
        static class Helpers
        {
            static void take(kvm kvm) => KVM_MMU_LOCK(kvm);
        }
        """;

    [Fact]
    public async Task TheNextGate_GrowsFromTheLastOne_WhoseCompilationAndEditedTreeWereCollected()
    {
        var (after, before, replacedTree) = await KeystrokeAfterADroppedCompilationAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Nothing keeps the first compilation, or the tree the edit replaced, alive: not its gate.
        Assert.False(before.TryGetTarget(out _));
        Assert.False(replacedTree.TryGetTarget(out _));

        // The edit made take() stop locking. A gate from scratch would say no; one grown from the
        // last gate keeps the name it had (a name too many costs a body analysed, never a wrong
        // answer), which shows that it grew from that gate.
        var fresh = await AnalyzerRun.CompileAsync(after.SyntaxTrees.Select(t => (t.FilePath, t.GetText().ToString())));
        Assert.False(AnalyzerRun.GateOf(fresh).MayTouchTheLock("take"));
        Assert.True(AnalyzerRun.GateOf(after).MayTouchTheLock("take"));
    }

    /// <summary>The first compilation and its gate, then the keystroke's compilation; only the latter is returned strongly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(Compilation After, WeakReference<Compilation> Before, WeakReference<SyntaxTree> ReplacedTree)> KeystrokeAfterADroppedCompilationAsync()
    {
        var before = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Helpers.cs", Helpers) });
        Assert.True(AnalyzerRun.GateOf(before).MayTouchTheLock("take"));
        var helpers = before.SyntaxTrees.Single(t => t.FilePath == "Helpers.cs");
        var edited = helpers.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Helpers.Replace("=> KVM_MMU_LOCK(kvm);", "{ }", StringComparison.Ordinal)));
        // Made from the trees rather than by ReplaceSyntaxTree, which keeps the compilation it
        // was made from reachable by itself, so that what is measured below is the gate alone.
        var after = before.RemoveAllSyntaxTrees().AddSyntaxTrees(before.SyntaxTrees.Select(t => t == helpers ? edited : t));
        return (after, new WeakReference<Compilation>(before), new WeakReference<SyntaxTree>(helpers));
    }
}
