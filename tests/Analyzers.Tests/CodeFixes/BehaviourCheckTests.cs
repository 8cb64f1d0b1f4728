using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.Analyzers.Tests.Verifiers;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>
/// The differential check itself: it passes a fix that only moves the reclaim past the release,
/// and it fails one that changes whether the reclaim runs (the old KVM0003 fix dropped the
/// reclaim's condition), moves another call or drops an ordinary one. A check that cannot fail would prove nothing.
/// </summary>
public sealed class BehaviourCheckTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    private const string Before = Prelude + """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range, bool flush)
            {
                KVM_MMU_LOCK(kvm);
                if (flush)
                {
                    note(kvm);
                    kvm_flush_remote_tlbs(kvm);
                    kvm_arch_guest_memory_reclaimed(kvm);
                }
                KVM_MMU_UNLOCK(kvm);
            }

            static void note(kvm kvm) { }
        }
        """;

    private static async Task<bool> CheckAsync(string fixedSource)
    {
        var project = await FixRunner.CreateProjectAsync(new[] { ("/Test0.cs", Before) });
        var fixedProject = project.Solution.WithDocumentText(project.Documents.Single().Id, Microsoft.CodeAnalysis.Text.SourceText.From(fixedSource)).GetProject(project.Id)!;
        var diagnostic = Assert.Single((await FixRunner.AnalyzeAsync(project)).Diagnostics);
        return await BehaviourCheck.SameBehaviourAsync(project, fixedProject, diagnostic, "the fix");
    }

    [Fact]
    public async Task AFixThatOnlyMovesTheReclaim_Passes()
    {
        var moved = Before.Replace(
            "            kvm_arch_guest_memory_reclaimed(kvm);\n        }\n        KVM_MMU_UNLOCK(kvm);",
            "        }\n        KVM_MMU_UNLOCK(kvm);\n        if (flush)\n            kvm_arch_guest_memory_reclaimed(kvm);",
            System.StringComparison.Ordinal);
        Assert.NotEqual(Before, moved);

        Assert.True(await CheckAsync(moved));
    }

    [Fact]
    public async Task AFixThatDropsTheReclaimsCondition_Fails()
    {
        var dropped = Before.Replace(
            "            kvm_arch_guest_memory_reclaimed(kvm);\n        }\n        KVM_MMU_UNLOCK(kvm);",
            "        }\n        KVM_MMU_UNLOCK(kvm);\n        kvm_arch_guest_memory_reclaimed(kvm);",
            System.StringComparison.Ordinal);
        Assert.NotEqual(Before, dropped);

        var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => CheckAsync(dropped));
        Assert.Contains("on input (kvm, kvm_gfn_range, false)", failure.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFixThatMovesAnotherCall_Fails()
    {
        var moved = Before.Replace(
            "            kvm_flush_remote_tlbs(kvm);\n            kvm_arch_guest_memory_reclaimed(kvm);\n        }\n        KVM_MMU_UNLOCK(kvm);",
            "        }\n        KVM_MMU_UNLOCK(kvm);\n        if (flush)\n        {\n            kvm_flush_remote_tlbs(kvm);\n            kvm_arch_guest_memory_reclaimed(kvm);\n        }",
            System.StringComparison.Ordinal);
        Assert.NotEqual(Before, moved);

        await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => CheckAsync(moved));
    }

    [Fact]
    public async Task AFixThatDropsAnOrdinaryCall_Fails()
    {
        var dropped = Before.Replace("            note(kvm);\n", string.Empty, System.StringComparison.Ordinal);
        Assert.NotEqual(Before, dropped);

        var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => CheckAsync(dropped));
        Assert.Contains("call:note", failure.Message, System.StringComparison.Ordinal);
    }
}
