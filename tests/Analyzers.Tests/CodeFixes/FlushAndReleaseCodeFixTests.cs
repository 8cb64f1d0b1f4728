using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.CodeFixes;
using Flush = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer, GfnGuard.CodeFixes.FlushBeforeUnlockCodeFixProvider>;
using Release = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.UnbalancedMmuLockAnalyzer, GfnGuard.CodeFixes.ReleaseBeforeReturnCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>KVM0006's fix (insert the flush before the release) and KVM0007's (insert the matching release before the return), with Fix All.</summary>
public sealed class FlushAndReleaseCodeFixTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    [Fact]
    public Task Flush_InsertedBeforeTheUnlock_WithTheFlagAndTheLocksOwner() => Flush.VerifyFixAsync(Prelude + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(vm);
                var ret = kvm_unmap_gfn_range(vm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(vm)|};
            }
        }
        """, Prelude + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(vm);
                var ret = kvm_unmap_gfn_range(vm, ref range);
                if (ret)
                    kvm_flush_remote_tlbs(vm);
                KVM_MMU_UNLOCK(vm);
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task Flush_FixAll_EveryReleaseInTheDocument_EmbeddedOnesGetABlock() => Flush.VerifyFixAsync(Prelude + """
        static class C
        {
            static void A(kvm kvm, kvm_gfn_range[] ranges, bool early)
            {
                var flush = false;
                write_lock(kvm.mmu_lock);
                for (var i = 0; i < ranges.Length; i++)
                    flush |= kvm_unmap_gfn_range(kvm, ref ranges[i]);
                if (early)
                    {|KVM0006:write_unlock(kvm.mmu_lock)|};
                else
                    {|KVM0006:write_unlock(kvm.mmu_lock)|};
            }

            static void B(kvm kvm, kvm_gfn_range range)
            {
                bool flush;
                lock (kvm.mmu_lock)
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}
            }
        }
        """, Prelude + """
        static class C
        {
            static void A(kvm kvm, kvm_gfn_range[] ranges, bool early)
            {
                var flush = false;
                write_lock(kvm.mmu_lock);
                for (var i = 0; i < ranges.Length; i++)
                    flush |= kvm_unmap_gfn_range(kvm, ref ranges[i]);
                if (early)
                {
                    if (flush)
                        kvm_flush_remote_tlbs(kvm);
                    write_unlock(kvm.mmu_lock);
                }
                else
                {
                    if (flush)
                        kvm_flush_remote_tlbs(kvm);
                    write_unlock(kvm.mmu_lock);
                }
            }

            static void B(kvm kvm, kvm_gfn_range range)
            {
                bool flush;
                lock (kvm.mmu_lock)
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                    if (flush)
                        kvm_flush_remote_tlbs(kvm);
                }
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task Flush_UsesThePortsOwnFlush_OnTheRuntime() => Flush.VerifyFixAsync("""
        using GfnGuard.Runtime;

        static class R
        {
            static void M(Kvm kvm, KvmGfnRange range)
            {
                kvm.MmuLock.WriteLock();
                kvm.MmuInvalidateBegin();
                var flush = KvmMmu.UnmapGfnRange(kvm, ref range);
                kvm.MmuInvalidateEnd();
                {|KVM0006:kvm.MmuLock.WriteUnlock()|};
            }
        }
        """, """
        using GfnGuard.Runtime;

        static class R
        {
            static void M(Kvm kvm, KvmGfnRange range)
            {
                kvm.MmuLock.WriteLock();
                kvm.MmuInvalidateBegin();
                var flush = KvmMmu.UnmapGfnRange(kvm, ref range);
                kvm.MmuInvalidateEnd();
                if (flush)
                    kvm.FlushRemoteTlbs();
                kvm.MmuLock.WriteUnlock();
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    // A port's own guard: the flush goes at the end of its using block, with the VM the guard was given.
    [Fact]
    public Task Flush_InsertedAtTheEndOfAPortsOwnGuardsScope() => Flush.VerifyFixAsync(Prelude + KernelPort.ScopedWriteLock + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                using (new ScopedWriteLock(vm))
                {
                    var flush = kvm_unmap_gfn_range(vm, ref range);
                {|KVM0006:}|}
            }
        }
        """, Prelude + KernelPort.ScopedWriteLock + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                using (new ScopedWriteLock(vm))
                {
                    var flush = kvm_unmap_gfn_range(vm, ref range);
                    if (flush)
                        kvm_flush_remote_tlbs(vm);
                }
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task Release_InsertedBeforeTheReturn_InTheModeTaken() => Release.VerifyFixAsync(Prelude + """
        static class C
        {
            static int M(kvm kvm, int n)
            {
                read_lock(kvm.mmu_lock);
                if (n == 0)
                    {|KVM0007:return -1;|}
                read_unlock(kvm.mmu_lock);
                return n;
            }

            static void V(kvm kvm, bool x)
            {
                KVM_MMU_LOCK(kvm);
                if (x)
                {
                    {|KVM0007:return;|}
                }

                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, Prelude + """
        static class C
        {
            static int M(kvm kvm, int n)
            {
                read_lock(kvm.mmu_lock);
                if (n == 0)
                {
                    read_unlock(kvm.mmu_lock);
                    return -1;
                }
                read_unlock(kvm.mmu_lock);
                return n;
            }

            static void V(kvm kvm, bool x)
            {
                KVM_MMU_LOCK(kvm);
                if (x)
                {
                    KVM_MMU_UNLOCK(kvm);
                    return;
                }

                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, ReleaseBeforeReturnCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task Release_AtTheEndOfAMethodThatFallsOffItHoldingTheLock() => Release.VerifyFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, bool x)
            {
                System.Threading.Monitor.Enter(kvm.mmu_lock);
                if (x)
                {
                    System.Threading.Monitor.Exit(kvm.mmu_lock);
                    return;
                }

                kvm_flush_remote_tlbs(kvm);
            {|KVM0007:}|}
        }
        """, Prelude + """
        static class C
        {
            static void M(kvm kvm, bool x)
            {
                System.Threading.Monitor.Enter(kvm.mmu_lock);
                if (x)
                {
                    System.Threading.Monitor.Exit(kvm.mmu_lock);
                    return;
                }

                kvm_flush_remote_tlbs(kvm);
                System.Threading.Monitor.Exit(kvm.mmu_lock);
            }
        }
        """, ReleaseBeforeReturnCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task Release_NotOfferedWhereTheLockIsHeldOnOnlySomePaths() => Release.VerifyNoFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, bool x)
            {
                if (x)
                    KVM_MMU_LOCK(kvm);
            {|KVM0007:}|}
        }
        """, ReleaseBeforeReturnCodeFixProvider.EquivalenceKey);

}

/// <summary>The differential check on KVM0006's fix: adding the flush passes, silencing the rule by dropping the zap fails.</summary>
public sealed class FlushFixBehaviourCheckTests
{
    private const string Before = "using static Kernel;\n" + KernelPort.Declarations + "\n" + """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var ret = kvm_unmap_gfn_range(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
                if (ret)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """;

    private static async Task<bool> CheckAsync(string fixedSource)
    {
        var project = await Robustness.FixRunner.CreateProjectAsync(new[] { ("/Test0.cs", Before) });
        var fixedProject = project.Solution.WithDocumentText(System.Linq.Enumerable.Single(project.Documents).Id, Microsoft.CodeAnalysis.Text.SourceText.From(fixedSource)).GetProject(project.Id)!;
        var diagnostic = Assert.Single((await Robustness.FixRunner.AnalyzeAsync(project)).Diagnostics, d => d.Id == DiagnosticIds.FlushBeforeUnlock);
        return await Verifiers.BehaviourCheck.SameBehaviourAsync(project, fixedProject, diagnostic, "the fix");
    }

    [Fact]
    public async Task AFixThatAddsTheFlush_Passes()
    {
        var fixedSource = Before.Replace("        KVM_MMU_UNLOCK(kvm);\n", "        if (ret)\n            kvm_flush_remote_tlbs(kvm);\n        KVM_MMU_UNLOCK(kvm);\n", System.StringComparison.Ordinal);
        Assert.NotEqual(Before, fixedSource);

        Assert.True(await CheckAsync(fixedSource));
    }

    [Fact]
    public async Task AFixThatDropsTheZap_Fails()
    {
        var fixedSource = Before.Replace("var ret = kvm_unmap_gfn_range(kvm, ref range);", "var ret = range.may_block;", System.StringComparison.Ordinal);
        Assert.NotEqual(Before, fixedSource);

        await Assert.ThrowsAnyAsync<System.Exception>(() => CheckAsync(fixedSource));
    }
}
