using System.Threading.Tasks;
using GfnGuard.Analyzers.Roles;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.UnknownOptionKeyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0900: a <c>gfnguard.</c> key GfnGuard does not read is reported once, naming the closest key.</summary>
public sealed class UnknownOptionKeyAnalyzerTests
{
    private const string Source = "class C { }";

    private static DiagnosticResult Unknown(string key, string closest) =>
        new DiagnosticResult(DiagnosticIds.UnknownOptionKey, DiagnosticSeverity.Warning).WithArguments(key, closest);

    [Theory]
    [InlineData("gfnguard.reclaim_method", "gfnguard.reclaim_methods")]
    [InlineData("gfnguard.mmu_lock_member", "gfnguard.mmu_lock_members")]
    [InlineData("gfnguard.hva_paths", "gfnguard.hva_path_methods")]
    [InlineData("gfnguard.gfn_range_type", "gfnguard.gfn_range_types")]
    [InlineData("gfnguard.tlb_flush", "gfnguard.tlb_flush_methods")]
    [InlineData("gfnguard.zap", "gfnguard.zap_methods")]
    public Task AMisspeltKey_IsReported_WithTheClosestKey(string key, string closest)
    {
        var test = new Verify.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*.cs]\n{key} = FlushAll\n"));
        test.ExpectedDiagnostics.Add(Unknown(key, closest));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task EveryKeyGfnGuardReads_IsNotReported()
    {
        var test = new Verify.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + string.Join("\n", System.Linq.Enumerable.Select(RoleCatalog.OptionKeys, k => k + " = X")) + "\n"));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public async Task TheKeysGfnGuardReads_AreTheSpecsSeven()
    {
        Assert.Equal(
            new[] { "gfnguard.gfn_range_types", "gfnguard.gmem_path_methods", "gfnguard.hva_path_methods", "gfnguard.mmu_lock_members", "gfnguard.reclaim_methods", "gfnguard.tlb_flush_methods", "gfnguard.zap_methods" },
            System.Linq.Enumerable.OrderBy(RoleCatalog.OptionKeys, k => k, System.StringComparer.Ordinal));
        await Task.CompletedTask;
    }

    [Fact]
    public Task AKeyInUpperCase_IsTheSameKey()
    {
        var test = new Verify.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\nGfnGuard.Reclaim_Methods = FlushAll\n"));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task AKeyOfAnotherTool_IsNotReported()
    {
        var test = new Verify.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.KVM0001.severity = warning\ngfnguardx.reclaim = 1\n"));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task TheSameUnknownKey_InTwoSectionsAndTwoFiles_IsReportedOnce()
    {
        var test = new Verify.Test();
        test.TestState.Sources.Add(("/src/A.cs", "class A { }"));
        test.TestState.Sources.Add(("/src/sub/B.cs", "class B { }"));
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ngfnguard.reclaim_method = A\n\n[/src/sub/*.cs]\ngfnguard.reclaim_method = B\n"));
        test.ExpectedDiagnostics.Add(Unknown("gfnguard.reclaim_method", "gfnguard.reclaim_methods"));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task AKeyInAGlobalConfig_IsReported()
    {
        var test = new Verify.Test { TestCode = Source };
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\ngfnguard.mmu_locks = PageTableLock\n"));
        test.ExpectedDiagnostics.Add(Unknown("gfnguard.mmu_locks", "gfnguard.mmu_lock_members"));
        return Verify.VerifyAsync(test);
    }
}
