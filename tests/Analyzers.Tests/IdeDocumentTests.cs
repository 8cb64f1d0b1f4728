using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.Analyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests;

/// <summary>
/// The IDE asks for one document's diagnostics (often one span of it) as the user types; the
/// rules must answer there, not only in a full build.
/// </summary>
public sealed class IdeDocumentTests
{
    private const string Edited = """
        using static Kernel;
        static class KvmMain
        {
            static void kvm_mmu_notifier_invalidate_range_start(kvm kvm, kvm_gfn_range range)
            {
                range.only_private = true;
                range.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_release(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """;

    private const string Other = """
        using static Kernel;
        static class Other
        {
            static void kvm_mmu_notifier_change_pte(kvm kvm)
            {
                write_lock(kvm.mmu_lock);
                kvm_arch_guest_memory_reclaimed(kvm);
                write_unlock(kvm.mmu_lock);
            }
        }
        """;

    private static readonly ImmutableArray<DiagnosticAnalyzer> AllRules = ImmutableArray.Create<DiagnosticAnalyzer>(
        new BothFlagsSetAnalyzer(), new HvaRangeNotSharedOnlyAnalyzer(), new ReclaimUnderMmuLockAnalyzer(), new EmptyFilterAtZapAnalyzer(), new GmemRangeNotPrivateOnlyAnalyzer(), new FlushBeforeUnlockAnalyzer(), new UnbalancedMmuLockAnalyzer());

    [Fact]
    public async Task OneDocument_GetsEveryRuleItBreaks_AndNothingFromOtherDocuments()
    {
        var (compilation, edited, _) = await CompileAsync();
        var model = compilation.GetSemanticModel(edited);
        var withAnalyzers = compilation.WithAnalyzers(AllRules, new CompilationWithAnalyzersOptions(AnalyzerOptions(), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));

        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None);

        Assert.Equal(new[] { "KVM0001", "KVM0002", "KVM0003" }, diagnostics.Select(d => d.Id).OrderBy(id => id));
        Assert.All(diagnostics, d => Assert.Same(edited, d.Location.SourceTree));
        Assert.Equal("range.only_shared = true", TextAt(diagnostics.Single(d => d.Id == "KVM0001")));
        Assert.Equal("kvm_unmap_gfn_range(kvm, ref range)", TextAt(diagnostics.Single(d => d.Id == "KVM0002")));
        Assert.Equal("kvm_arch_guest_memory_reclaimed(kvm)", TextAt(diagnostics.Single(d => d.Id == "KVM0003")));
    }

    [Fact]
    public async Task SpanOfOneMethod_GetsThatMethodsDiagnosticsOnly()
    {
        var (compilation, edited, _) = await CompileAsync();
        var model = compilation.GetSemanticModel(edited);
        var release = edited.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>()
            .Single(m => m.Identifier.ValueText == "kvm_mmu_notifier_release");
        var withAnalyzers = compilation.WithAnalyzers(AllRules, AnalyzerOptions());

        var diagnostics = await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, release.Span, CancellationToken.None);

        var only = Assert.Single(diagnostics);
        Assert.Equal("KVM0003", only.Id);
        Assert.True(release.Span.Contains(only.Location.SourceSpan));
    }

    [Fact]
    public async Task AnalyzersNeverThrow_OnTheDocumentPath()
    {
        var (compilation, edited, other) = await CompileAsync();
        var exceptions = 0;
        var options = new CompilationWithAnalyzersOptions(AnalyzerOptions(), (_, _, _) => Interlocked.Increment(ref exceptions), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(AllRules, options);

        foreach (var tree in new[] { edited, other })
        {
            await withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), filterSpan: null, CancellationToken.None);
        }

        var all = await withAnalyzers.GetAllDiagnosticsAsync(CancellationToken.None);
        Assert.Equal(0, exceptions);
        Assert.DoesNotContain(all, d => d.Id == "AD0001");
        Assert.Equal(2, all.Count(d => d.Id == "KVM0003"));
    }

    private static string TextAt(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    private static AnalyzerOptions AnalyzerOptions() => new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);

    private static async Task<(Compilation Compilation, SyntaxTree Edited, SyntaxTree Other)> CompileAsync()
    {
        var references = await TestReferences.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var declarations = CSharpSyntaxTree.ParseText(KernelPort.Declarations, parse, path: "Kernel.cs");
        var edited = CSharpSyntaxTree.ParseText(Edited, parse, path: "KvmMain.cs");
        var other = CSharpSyntaxTree.ParseText(Other, parse, path: "Other.cs");
        var compilation = CSharpCompilation.Create(
            "Port",
            new[] { declarations, edited, other },
            references.Add(TestReferences.Runtime),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return (compilation, edited, other);
    }
}
