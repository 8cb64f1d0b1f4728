using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using Xunit;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// The rules observe every transfer of the fixed point, not a separate pass over its result,
/// so a loop body is seen several times with growing states. What they report must still be
/// what the fixed point alone gives: each site once, with every place that led to it, and
/// nothing that only a smaller, earlier state would suggest.
/// </summary>
public class FixedPointObservationTests
{
    private static async Task<AnalyzerRun.Outcome> AnalyzeAsync(string body)
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Port.cs", "using static Kernel;\n" + KernelPort.Declarations + "\n" + body) });
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);
        Assert.Empty(outcome.Exceptions);
        return outcome;
    }

    [Fact]
    public async Task ReclaimAtTheTopOfALoop_NamesBothPlacesTheLockWasTaken_Once()
    {
        // First time round only the lock before the loop reaches the reclaim; the back edge then
        // brings the one at the bottom of the body.
        var outcome = await AnalyzeAsync("""
            static class C
            {
                static void M(kvm kvm, int n)
                {
                    KVM_MMU_LOCK(kvm);
                    for (var i = 0; i < n; i++)
                    {
                        kvm_arch_guest_memory_reclaimed(kvm);
                        KVM_MMU_UNLOCK(kvm);
                        KVM_MMU_LOCK(kvm);
                    }

                    KVM_MMU_UNLOCK(kvm);
                }
            }
            """);

        var diagnostic = Assert.Single(outcome.Diagnostics);
        Assert.Equal("KVM0003", diagnostic.Id);
        var takenAt = diagnostic.AdditionalLocations.Select(l => l.GetLineSpan().StartLinePosition.Line).ToArray();
        var source = diagnostic.Location.SourceTree!.GetText().Lines;
        Assert.Equal(2, takenAt.Length);
        Assert.All(takenAt, line => Assert.Contains("KVM_MMU_LOCK(kvm);", source[line].ToString()));
        Assert.Equal(takenAt.Distinct().Count(), takenAt.Length);
    }

    [Fact]
    public async Task FlagMadeTrueOnTheBackEdge_IsReportedOnce_WithTheOtherFlagsSite()
    {
        var outcome = await AnalyzeAsync("""
            static class C
            {
                static kvm_gfn_range M(int n)
                {
                    var range = new kvm_gfn_range();
                    for (var i = 0; i < n; i++)
                    {
                        if (i > 0)
                            range.only_shared = true;
                        range.only_private = true;
                    }

                    return range;
                }
            }
            """);

        // Both stores can make the second flag true over a path where the other may be true:
        // only_private after only_shared in the same iteration, only_shared after the previous
        // iteration's only_private.
        Assert.Equal(2, outcome.Diagnostics.Length);
        Assert.All(outcome.Diagnostics, d => Assert.Equal("KVM0001", d.Id));
        Assert.Equal(2, outcome.Diagnostics.Select(d => d.Location.SourceSpan).Distinct().Count());
        foreach (var diagnostic in outcome.Diagnostics)
        {
            // [0] is the stored value, then each place the other flag was made true, once.
            var otherSites = diagnostic.AdditionalLocations.Skip(1).Select(l => l.SourceSpan).ToArray();
            Assert.Single(otherSites);
        }
    }

    [Theory]
    [InlineData("false", 0)]
    [InlineData("true", 1)]
    public async Task HvaRange_IsReportedOnlyIfSomeIterationPassesItNotSharedOnly(string privateAtTheBottom, int expected)
    {
        // The first transfer of the body always sees a shared-only range; only the back edge
        // can bring a range that is not. An early state must neither hide nor invent a report.
        var outcome = await AnalyzeAsync($$"""
            static class KvmMain
            {
                static bool kvm_handle_hva_range(kvm kvm, kvm_memory_slot[] slots)
                {
                    var flush = false;
                    var gfn_range = new kvm_gfn_range { only_shared = true };
                    foreach (var slot in slots)
                    {
                        gfn_range.slot = slot;
                        flush |= kvm_unmap_gfn_range(kvm, ref gfn_range);
                        gfn_range.only_private = {{privateAtTheBottom}};
                    }

                    return flush;
                }
            }
            """);

        // (Setting only_private true also breaks KVM0001; that is not what this test is about.)
        Assert.Equal(expected, outcome.Diagnostics.Count(d => d.Id == "KVM0002"));
    }
}
