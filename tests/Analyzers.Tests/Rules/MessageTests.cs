using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// Messages speak the port's language: its own flag names (<c>only_shared</c> where it declares
/// <c>only_shared</c>) and, for KVM0002, the call that receives the range (<c>range.handler(...)</c>,
/// <c>kvm_unmap_gfn_range</c>), not a delegate's type.
/// </summary>
public sealed class MessageTests
{
    private static async Task<string[]> MessagesAsync(string source)
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("/Port.cs", source) });
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);
        Assert.Empty(outcome.Exceptions);
        return outcome.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture)).ToArray();
    }

    [Theory]
    [InlineData("only_private", "only_shared")]
    [InlineData("OnlyPrivate", "OnlyShared")]
    public async Task KVM0001_NamesTheFlagsAsThePortDeclaresThem(string @private, string shared)
    {
        var messages = await MessagesAsync($$"""
            public struct kvm_gfn_range { public bool {{@private}}; public bool {{shared}}; }
            static class C
            {
                static kvm_gfn_range M()
                {
                    var r = new kvm_gfn_range();
                    r.{{@private}} = true;
                    r.{{shared}} = true;
                    return r;
                }
            }
            """);

        var message = Assert.Single(messages);
        Assert.StartsWith($"KVM0001: This sets {shared} on a gfn range whose {@private} may already be true; {@private} and {shared} together", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task KVM0002_NamesTheDelegateCall_ByItsExpression_AndTheFlagsAsThePortDeclaresThem()
    {
        var messages = await MessagesAsync("""
            public sealed class kvm { }
            public struct kvm_gfn_range { public bool only_private; public bool only_shared; }
            public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
            public struct kvm_hva_range { public gfn_handler_t handler; }
            static class KvmMain
            {
                static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;

                static bool __kvm_handle_hva_range(kvm kvm, kvm_hva_range range)
                {
                    var gfn_range = new kvm_gfn_range();
                    var ret = range.handler(kvm, ref gfn_range);
                    return ret | kvm_unmap_gfn_range(kvm, ref gfn_range);
                }
            }
            """);

        Assert.Equal(2, messages.Length);
        Assert.StartsWith("KVM0002: 'range.handler(...)' receives a gfn range that is not definitely shared-only on HVA-based path '__kvm_handle_hva_range'", messages[0], System.StringComparison.Ordinal);
        Assert.Contains("so the range needs only_shared = true and only_private = false", messages[0], System.StringComparison.Ordinal);
        Assert.StartsWith("KVM0002: 'kvm_unmap_gfn_range' receives a gfn range", messages[1], System.StringComparison.Ordinal);
    }
}
