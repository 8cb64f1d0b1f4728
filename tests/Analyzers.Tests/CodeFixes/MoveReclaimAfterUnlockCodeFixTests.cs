using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using GfnGuard.Analyzers.Tests.Rules;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer, GfnGuard.CodeFixes.MoveReclaimAfterUnlockCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>KVM0003's fix: move the reclaim after the lock is released, keeping its condition.</summary>
public sealed class MoveReclaimAfterUnlockCodeFixTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    private static Task VerifyFix(string source, string fixedSource) =>
        Verify.VerifyFixAsync(Prelude + source, Prelude + fixedSource, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task MovedPastTheUnlock() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task ConditionOnALocal_MovesWithTheCall() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
                if (flush)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task ConditionComputedUnderTheLock_IsCaptured() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref range))
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                bool reclaimGuestMemory = kvm_unmap_gfn_range(kvm, ref range);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
                if (reclaimGuestMemory)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task InsideALockBlock_MovesAfterIt_CapturingTheCondition() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                lock (kvm.mmu_lock)
                {
                    var flush = kvm_unmap_gfn_range(kvm, ref range);
                    if (flush)
                        {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    kvm_flush_remote_tlbs(kvm);
                }
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                bool reclaimGuestMemory = false;
                lock (kvm.mmu_lock)
                {
                    var flush = kvm_unmap_gfn_range(kvm, ref range);
                    reclaimGuestMemory = flush;
                    kvm_flush_remote_tlbs(kvm);
                }

                if (reclaimGuestMemory)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task InsideAUsingScope_MovesAfterIt() => VerifyFix("""
        sealed class Guard : System.IDisposable { public void Dispose() { } }
        sealed class MmuLockType { public Guard Write() => new Guard(); }
        sealed class Vm { public MmuLockType MmuLock = new MmuLockType(); public kvm K = new kvm(); }
        static class C
        {
            static void M(Vm vm)
            {
                using (vm.MmuLock.Write())
                {
                    kvm_flush_remote_tlbs(vm.K);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                }
            }
        }
        """, """
        sealed class Guard : System.IDisposable { public void Dispose() { } }
        sealed class MmuLockType { public Guard Write() => new Guard(); }
        sealed class Vm { public MmuLockType MmuLock = new MmuLockType(); public kvm K = new kvm(); }
        static class C
        {
            static void M(Vm vm)
            {
                using (vm.MmuLock.Write())
                {
                    kvm_flush_remote_tlbs(vm.K);
                }

                kvm_arch_guest_memory_reclaimed(vm.K);
            }
        }
        """);

    [Fact]
    public Task InsideAPortsOwnGuard_MovesAfterItsScope() => VerifyFix(KernelPort.ScopedWriteLock + """
        static class C
        {
            static void M(kvm kvm)
            {
                using (new ScopedWriteLock(kvm))
                {
                    kvm_flush_remote_tlbs(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
            }

            static void N(kvm kvm, bool flush)
            {
                {
                    using var guard = new ScopedWriteLock(kvm);
                    if (flush)
                        {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    kvm_flush_remote_tlbs(kvm);
                }
            }
        }
        """, KernelPort.ScopedWriteLock + """
        static class C
        {
            static void M(kvm kvm)
            {
                using (new ScopedWriteLock(kvm))
                {
                    kvm_flush_remote_tlbs(kvm);
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void N(kvm kvm, bool flush)
            {
                bool reclaimGuestMemory = false;
                {
                    using var guard = new ScopedWriteLock(kvm);
                    reclaimGuestMemory = flush;
                    kvm_flush_remote_tlbs(kvm);
                }

                if (reclaimGuestMemory)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>A guard or helper of the lock it is given (cleanup.h's guard(write_lock)): its scope's end, or the helper's release, is the release.</summary>
    [Fact]
    public Task InsideAGuardOfTheLockItIsGiven_MovesAfterItsScope() => Verify.VerifyFixAsync("using static Guard;\n" + Prelude + KernelPort.LockGivenGuards + """
        static class C
        {
            static void M(kvm kvm)
            {
                using (guard_write_lock(kvm.mmu_lock))
                {
                    kvm_flush_remote_tlbs(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
            }

            static void N(kvm kvm)
            {
                lock_it(kvm.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                unlock_it(kvm.mmu_lock);
            }
        }
        """, "using static Guard;\n" + Prelude + KernelPort.LockGivenGuards + """
        static class C
        {
            static void M(kvm kvm)
            {
                using (guard_write_lock(kvm.mmu_lock))
                {
                    kvm_flush_remote_tlbs(kvm);
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void N(kvm kvm)
            {
                lock_it(kvm.mmu_lock);
                unlock_it(kvm.mmu_lock);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task InsideTryWithUnlockInFinally_MovesAfterTheTry() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                try
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                finally
                {
                    KVM_MMU_UNLOCK(kvm);
                }
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                try
                {
                }
                finally
                {
                    KVM_MMU_UNLOCK(kvm);
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task CommentMovesWithTheReclaim_AndNoGapIsLeft() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, bool found)
            {
                KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                // x86 reclaim: WBINVD on SEV.
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};

                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, bool found)
            {
                KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
                // x86 reclaim: WBINVD on SEV.
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task FixAll_MovesEveryReclaim() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, bool flush)
            {
                write_lock(kvm.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                if (flush)
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                write_unlock(kvm.mmu_lock);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, bool flush)
            {
                write_lock(kvm.mmu_lock);
                write_unlock(kvm.mmu_lock);
                kvm_arch_guest_memory_reclaimed(kvm);
                if (flush)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task NoReleaseAfterTheCall_OffersNoFix() => Verify.VerifyNoFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, bool flush)
            {
                if (flush)
                    KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            {|KVM0007:}|}
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task ReleaseOutsideALoop_OffersNoFix() => Verify.VerifyNoFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, int n)
            {
                KVM_MMU_LOCK(kvm);
                for (var i = 0; i < n; i++)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey);

    /// <summary>
    /// A reclaim inside an if that guards more than the reclaim keeps its condition: it ran
    /// only when control reached it, so that is recorded under the lock and tested after the
    /// release (the fix once moved it out unconditional, reclaiming where nothing was zapped).
    /// </summary>
    [Fact]
    public Task InsideAnIfWithOtherStatements_KeepsItsCondition() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                {
                    kvm_flush_remote_tlbs(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                bool reclaimGuestMemory = false;
                if (flush)
                {
                    kvm_flush_remote_tlbs(kvm);
                    reclaimGuestMemory = true;
                }
                KVM_MMU_UNLOCK(kvm);
                if (reclaimGuestMemory)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task InTheElseBranch_KeepsItsCondition() => VerifyFix("""
        static class C
        {
            static void M(kvm kvm, bool fast)
            {
                KVM_MMU_LOCK(kvm);
                if (fast)
                    kvm_flush_remote_tlbs(kvm);
                else
                {
                    kvm_flush_remote_tlbs(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, """
        static class C
        {
            static void M(kvm kvm, bool fast)
            {
                KVM_MMU_LOCK(kvm);
                bool reclaimGuestMemory = false;
                if (fast)
                    kvm_flush_remote_tlbs(kvm);
                else
                {
                    kvm_flush_remote_tlbs(kvm);
                    reclaimGuestMemory = true;
                }
                KVM_MMU_UNLOCK(kvm);
                if (reclaimGuestMemory)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>An early return between the reclaim and the release: moved, the reclaim would not run on that way out, so no fix.</summary>
    [Fact]
    public Task AReturnBetweenTheReclaimAndTheRelease_NoFix() => Verify.VerifyNoFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, bool done)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                if (done)
                {
                    KVM_MMU_UNLOCK(kvm);
                    return;
                }

                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, MoveReclaimAfterUnlockCodeFixProvider.EquivalenceKey);
}
