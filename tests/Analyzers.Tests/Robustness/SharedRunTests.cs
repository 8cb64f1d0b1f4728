using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// KVM0003 and KVM0007 share one lock-state run per body (Rules.LockRuleRun), and KVM0001,
/// KVM0002, KVM0004 and KVM0005 one flag run (Rules.FlagRuleRun): whichever rule reaches a
/// body first runs it for all of them. Each must report exactly what it reports alone, in
/// whichever order the driver calls them and on whichever threads.
/// </summary>
public sealed class SharedRunTests
{
    // Bodies where both rules find something, where one does and the other's gate passes, and
    // a lambda and a local function (their graphs are run apart).
    private const string Port = """
        static class C
        {
            static bool ReclaimThenReturnHeld(kvm kvm, bool early)
            {
                KVM_MMU_LOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
                if (early)
                    return false;
                KVM_MMU_UNLOCK(kvm);
                return true;
            }

            static void ReleasedTwice(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void ReclaimInALambdaUnderItsOwnLock(kvm kvm)
            {
                System.Action<kvm> zap = k =>
                {
                    KVM_MMU_LOCK(k);
                    kvm_arch_guest_memory_reclaimed(k);
                    KVM_MMU_UNLOCK(k);
                };
                zap(kvm);
            }

            static void LocalFunctionLeavesItHeld(kvm kvm)
            {
                Take(kvm);
                KVM_MMU_UNLOCK(kvm);

                static void Take(kvm k)
                {
                    if (k.mmu_lock != null)
                        KVM_MMU_LOCK(k);
                    kvm_arch_guest_memory_reclaimed(k);
                }
            }

            static void Balanced(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """;

    [Fact]
    public async Task EachLockRule_ReportsTogetherWhatItReportsAlone()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 4000, KvmShare: 0.9, BugShare: 0.3, Seed: 5));
        // In a namespace of their own: the corpus declares its own kernel types.
        var calls = "namespace LockRules\n{\nusing static LockRules.Kernel;\nusing System.Threading;\n" + KernelPort.Declarations + "\n" + Port + "\n}\n";
        var sources = corpus.Files.Select(f => (f.Name, f.Text)).Append(("Calls.cs", calls)).ToList();

        var reclaimAlone = await RunAsync(sources, concurrent: false, new ReclaimUnderMmuLockAnalyzer());
        var balanceAlone = await RunAsync(sources, concurrent: false, new UnbalancedMmuLockAnalyzer());
        Assert.Contains(reclaimAlone, l => l.StartsWith("KVM0003 Calls.cs", System.StringComparison.Ordinal));
        Assert.Contains(balanceAlone, l => l.StartsWith("KVM0007 Calls.cs", System.StringComparison.Ordinal));
        Assert.Contains(reclaimAlone, l => l.StartsWith("KVM0003 Port0", System.StringComparison.Ordinal));

        var expected = reclaimAlone.Concat(balanceAlone).OrderBy(l => l, System.StringComparer.Ordinal).ToList();
        // One order, then the other, then both on many threads: each fresh compilation starts with no run shared.
        Assert.Equal(expected, await RunAsync(sources, concurrent: false, new ReclaimUnderMmuLockAnalyzer(), new UnbalancedMmuLockAnalyzer()));
        Assert.Equal(expected, await RunAsync(sources, concurrent: false, new UnbalancedMmuLockAnalyzer(), new ReclaimUnderMmuLockAnalyzer()));
        for (var run = 0; run < 3; run++)
        {
            Assert.Equal(expected, await RunAsync(sources, concurrent: true, new ReclaimUnderMmuLockAnalyzer(), new UnbalancedMmuLockAnalyzer()));
        }
    }

    // Paths where KVM0001 and a path rule both report in one body: both flags set, and another
    // range handed on that is not one-sided.
    private const string FlagPort = """
        static class Paths
        {
            static bool kvm_mmu_notifier_both_and_unfiltered(kvm kvm, kvm_memory_slot slot, bool x)
            {
                var range = new kvm_gfn_range { slot = slot };
                range.only_private = x;
                range.only_shared = true;
                var other = new kvm_gfn_range { slot = slot };
                return kvm_unmap_gfn_range(kvm, ref range) | kvm_unmap_gfn_range(kvm, ref other);
            }

            static bool kvm_gmem_both_and_unfiltered(kvm kvm, kvm_memory_slot slot, bool x)
            {
                var range = new kvm_gfn_range { slot = slot, only_private = true };
                range.only_shared = x;
                var other = new kvm_gfn_range { slot = slot };
                return kvm_unmap_gfn_range(kvm, ref range) | kvm_unmap_gfn_range(kvm, ref other);
            }
        }
        """;

    [Fact]
    public async Task EachFlagRule_ReportsTogetherWhatItReportsAlone()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 4000, KvmShare: 0.9, BugShare: 0.4, Seed: 6));
        var paths = "namespace FlagRules\n{\nusing static FlagRules.Kernel;\n" + KernelPort.Declarations + "\n" + FlagPort + "\n}\n";
        var sources = corpus.Files.Select(f => (f.Name, f.Text)).Append(("Paths.cs", paths)).ToList();

        DiagnosticAnalyzer[] Rules() => new DiagnosticAnalyzer[] { new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new EmptyFilterAtZapAnalyzer() };
        var alone = new System.Collections.Generic.List<string>();
        foreach (var rule in Rules())
        {
            alone.AddRange(await RunAsync(sources, concurrent: false, rule));
        }

        foreach (var id in new[] { "KVM0001", "KVM0002", "KVM0005" })
        {
            Assert.Contains(alone, l => l.StartsWith(id + " Paths.cs", System.StringComparison.Ordinal));
        }

        Assert.Contains(alone, l => l.StartsWith("KVM0002 Port0", System.StringComparison.Ordinal));
        var expected = alone.OrderBy(l => l, System.StringComparer.Ordinal).ToList();
        Assert.Equal(expected, await RunAsync(sources, concurrent: false, Rules()));
        Assert.Equal(expected, await RunAsync(sources, concurrent: false, Rules().Reverse().ToArray()));
        for (var run = 0; run < 3; run++)
        {
            Assert.Equal(expected, await RunAsync(sources, concurrent: true, Rules()));
        }
    }

    private static async Task<System.Collections.Generic.IReadOnlyList<string>> RunAsync(System.Collections.Generic.List<(string Name, string Text)> sources, bool concurrent, params DiagnosticAnalyzer[] analyzers)
    {
        var compilation = await AnalyzerRun.CompileAsync(sources);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation, concurrent, analyzers: analyzers.ToImmutableArray());
        Assert.Empty(outcome.Exceptions);
        return outcome.Lines;
    }
}
