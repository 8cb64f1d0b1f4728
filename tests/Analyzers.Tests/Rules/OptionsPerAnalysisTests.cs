using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// The rules share one role context (and its syntax gate and helper summaries) per
/// compilation; a host that analyses the same compilation under other options must get
/// answers for those options, not for the first ones.
/// </summary>
public class OptionsPerAnalysisTests
{
    private const string Port = """
        using static Kernel;
        static class C
        {
            static void my_reclaim(kvm kvm) { }

            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                my_reclaim(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """;

    [Fact]
    public async Task OneCompilation_TwoOptionSets_EachGetsItsOwnAnswer()
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("Kernel.cs", KernelPort.Declarations), ("Port.cs", Port) });
        var none = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var reclaim = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new SameOptionsEverywhere("gfnguard.reclaim_methods", "my_reclaim"));

        var before = await AnalyzerRun.AnalyzeAsync(compilation, analyzerOptions: none);
        var configured = await AnalyzerRun.AnalyzeAsync(compilation, analyzerOptions: reclaim);
        var again = await AnalyzerRun.AnalyzeAsync(compilation, analyzerOptions: none);

        Assert.Empty(before.Diagnostics);
        Assert.Equal("KVM0003", Assert.Single(configured.Diagnostics).Id);
        Assert.Empty(again.Diagnostics);
        Assert.Empty(before.Exceptions.Concat(configured.Exceptions).Concat(again.Exceptions));
    }
}
