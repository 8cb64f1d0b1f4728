using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Tests.Robustness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests.Gate;

/// <summary>
/// The gate's first question, asked before any tree is read: does anything in the compilation,
/// in source or in a library, carry a name a role can start from? Ordinary code answers no and
/// costs no reading; each way a role can come in answers yes.
/// </summary>
public sealed class OrdinaryCompilationTests
{
    private const string Ordinary = """
        using System.Collections.Generic;
        namespace Logging
        {
            public sealed class Sink
            {
                private readonly object _sync = new();
                private readonly List<string> _lines = new();
                public void Emit(string line) { lock (_sync) { _lines.Add(line); } }
                public bool OnlyShared(string line) => line.Length > 0;
            }
        }
        """;

    [Fact]
    public async Task OrdinaryCode_WithoutTheRuntime_IsTurnedAwayBeforeAnyTreeIsRead()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Sink.cs", Ordinary.Replace("OnlyShared", "IsShared", System.StringComparison.Ordinal)) }, withRuntime: false);

        Assert.True(AnalyzerRun.GateOf(compilation).NothingToAsk);
        Assert.False(AnalyzerRun.GateOf(compilation).AnyTreeMaySetBothFlags);
        Assert.False(AnalyzerRun.GateOf(compilation).AnyTreeMayLock);
    }

    [Theory]
    [InlineData("public bool OnlyShared(string line)", "a flag's name")]
    [InlineData("public bool kvm_flush_remote_tlbs(string line)", "a role name")]
    [InlineData("public bool kvm_mmu_notifier_clear_young(string line)", "a role prefix")]
    [InlineData("public sealed class ZapsSptesAttribute : System.Attribute { } public bool Z(string line)", "a role attribute's class")]
    public async Task ASeedDeclaredInSource_MakesTheGateReadTheTrees(string member, string why)
    {
        var source = Ordinary.Replace("public bool OnlyShared(string line)", member, System.StringComparison.Ordinal);
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Sink.cs", source) }, withRuntime: false);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        Assert.False(AnalyzerRun.GateOf(compilation).NothingToAsk, why);
    }

    [Fact]
    public async Task TheRuntimeReferenced_MakesTheGateReadTheTrees()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Sink.cs", Ordinary.Replace("OnlyShared", "IsShared", System.StringComparison.Ordinal)) });

        Assert.False(AnalyzerRun.GateOf(compilation).NothingToAsk);
    }

    [Fact]
    public async Task ConfiguredNames_MakeTheGateReadTheTrees()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Sink.cs", Ordinary.Replace("OnlyShared", "IsShared", System.StringComparison.Ordinal)) }, withRuntime: false);
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new Verifiers.SameOptionsEverywhere("gfnguard.mmu_lock_members", "Logging.Sink._sync"));

        Assert.False(RoleContext.For(compilation, options).Gate.NothingToAsk);
    }

    /// <summary>
    /// A port compiled into its own library: the consumer declares nothing, the library declares
    /// the range. A library named like the framework but not signed by Microsoft is a library.
    /// </summary>
    [Theory]
    [InlineData("Port")]
    [InlineData("Microsoft.Kvm.Port")]
    [InlineData("System.Kvm")]
    public async Task ARangeTypeDeclaredOnlyInAPortLibrary_StillGetsKvm0001(string libraryName)
    {
        var library = await AnalyzerRun.CompileAsync(new[] { ("Port.cs", """
            namespace Port
            {
                public struct kvm_gfn_range { public ulong start, end; public bool only_private; public bool only_shared; }
                public static class Mmu { public static kvm_gfn_range Range(ulong start, ulong end) => new kvm_gfn_range { start = start, end = end }; }
            }
            """) }, withRuntime: false);
        library = library.WithAssemblyName(libraryName);
        var consumer = CSharpCompilation.Create(
            "Consumer",
            new[] { CSharpSyntaxTree.ParseText("""
                static class Use
                {
                    static void M()
                    {
                        var range = Port.Mmu.Range(0, 16);
                        range.only_private = true;
                        range.only_shared = true;
                    }
                }
                """, new CSharpParseOptions(LanguageVersion.Latest), "Use.cs") },
            (await AnalyzerRun.ReferencesAsync()).Remove(Verifiers.TestReferences.Runtime).Add(library.ToMetadataReference()),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(consumer.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var outcome = await AnalyzerRun.AnalyzeAsync(consumer);

        Assert.False(AnalyzerRun.GateOf(consumer).NothingToAsk);
        Assert.Empty(outcome.Exceptions);
        Assert.Equal("KVM0001", Assert.Single(outcome.Diagnostics).Id);
    }
}
