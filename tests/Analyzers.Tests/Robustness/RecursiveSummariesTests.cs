using System.Linq;
using System.Threading.Tasks;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Summaries that run a callee's body ask the same summary of the callee's callees, so a
/// recursive method asks its own. KVM0001's "flags from the callers" pairs had no cut there:
/// a recursive helper that sets a range's flags from its parameters overflowed the compiler's
/// stack, which ends the build with no AD0001 at all.
/// </summary>
public sealed class RecursiveSummariesTests
{
    private const string Source = """
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        public struct kvm_gfn_range { public bool only_private, only_shared; public ulong start, end; }
        namespace Upstream { public struct kvm_gfn_range { public kvm_gfn_range_filter attr_filter; } }

        public static class Recursive
        {
            static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref Upstream.kvm_gfn_range range) => true;

            static void build(bool p, bool s, int depth)
            {
                if (depth > 0)
                {
                    build(s, p, depth - 1);
                    return;
                }

                var r = new kvm_gfn_range { only_private = p, only_shared = s };
            }

            static void __kvm_gmem_walk(kvm kvm, kvm_gfn_range_filter attr_filter, int depth)
            {
                if (depth > 0)
                {
                    __kvm_gmem_walk(kvm, attr_filter, depth - 1);
                    return;
                }

                var range = new Upstream.kvm_gfn_range { attr_filter = attr_filter };
                kvm_mmu_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_gmem_punch_hole(kvm kvm) => __kvm_gmem_walk(kvm, kvm_gfn_range_filter.KVM_FILTER_SHARED, 3);

            static void user()
            {
                build(true, false, 2);
                build(true, true, 2);
            }
        }
        """;

    [Fact]
    public async Task RecursiveHelpersAndPaths_AreSummarisedWithoutRecursingForever()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Recursive.cs", Source) }, withRuntime: false);

        // The analysis runs on a thread of its own under a watchdog: a cut that stopped working
        // would overflow the stack (ending the test run) or spin, and either fails here first.
        var analysis = Task.Run(() => AnalyzerRun.AnalyzeAsync(compilation));
        var finished = await Task.WhenAny(analysis, Task.Delay(System.TimeSpan.FromSeconds(120)));
        Assert.Same(analysis, finished);
        var outcome = await analysis;

        Assert.Empty(outcome.Exceptions);
        var lines = Source.Split('\n');
        int LineOf(string text) => System.Array.FindIndex(lines, l => l.Contains(text, System.StringComparison.Ordinal));

        // Both flags true on the path that swaps them: KVM0001 at that call.
        Assert.Contains(outcome.Diagnostics, d => d.Id == "KVM0001" && d.Location.GetLineSpan().StartLinePosition.Line == LineOf("build(true, true, 2);"));
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Location.GetLineSpan().StartLinePosition.Line == LineOf("build(true, false, 2);"));

        // The recursive path hands its callers' filter on to itself; the punch-hole's shared filter is reported at its call.
        Assert.Contains(outcome.Diagnostics, d => d.Id == "KVM0005" && d.Location.GetLineSpan().StartLinePosition.Line == LineOf("static void kvm_gmem_punch_hole"));
    }
}
