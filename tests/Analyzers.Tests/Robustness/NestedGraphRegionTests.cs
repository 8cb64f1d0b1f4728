using System.Threading.Tasks;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// A lambda's graph sits inside its method's regions. A lambda written inside a try/catch on a
/// path made the dataflow take the method's catch (a block of the method's graph) for a handler
/// of the lambda's graph: an IndexOutOfRangeException, so an AD0001 that dropped every
/// diagnostic of the body. A try/catch inside the lambda is its own, and still followed.
/// </summary>
public sealed class NestedGraphRegionTests
{
    private const string Source = """
        public sealed class kvm { }
        public struct kvm_gfn_range { public bool only_private, only_shared; }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);

        public static class KvmMain
        {
            static bool handler(kvm kvm, ref kvm_gfn_range r) => true;

            public static bool kvm_mmu_notifier_clear_young(kvm kvm)
            {
                var ret = false;
                try
                {
                    System.Func<kvm_gfn_range> make = () => new kvm_gfn_range { only_shared = true };
                    System.Func<int, kvm_gfn_range> guarded = n =>
                    {
                        try { return new kvm_gfn_range { only_shared = n > 0 }; }
                        catch (System.InvalidOperationException) { return default; }
                    };
                    var r = new kvm_gfn_range { only_private = true };
                    ret |= handler(kvm, ref r);
                }
                catch (System.InvalidOperationException)
                {
                    ret = false;
                }

                return ret;
            }
        }
        """;

    [Fact]
    public async Task ALambdaInsideATry_IsAnalysedWithoutTheMethodsHandlers()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Port.cs", Source) }, withRuntime: false);

        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);

        Assert.Empty(outcome.Exceptions);
        Assert.Contains(outcome.Diagnostics, d => d.Id == "KVM0002");
    }
}
