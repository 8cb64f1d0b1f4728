using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// KVM0006 for a zap whose result nothing keeps (<c>kvm_unmap_gfn_range(kvm, ref range);</c>,
/// <c>_ = zap(...)</c>): the flush it may have asked for is owed as a kept one is. Nothing can test
/// it, so any flush that may run after it is taken as the one meant for it; it is reported only
/// where no path from it flushed before a release.
/// </summary>
public sealed class DiscardedZapResultTests
{
    private static Task VerifyPort(string body) =>
        Verify.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body);

    [Fact]
    public Task ADiscardedResultWithNoFlushBeforeTheRelease_Reports() => VerifyPort("""
        static class C
        {
            static void AsAStatement(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            // The flush comes after the release: other vCPUs keep their entries in between.
            static void Discarded_FlushedAfterTheUnlock(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                _ = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                kvm_flush_remote_tlbs(kvm);
            }

            static void OnSomePaths(kvm kvm, kvm_gfn_range range, bool zap)
            {
                KVM_MMU_LOCK(kvm);
                if (zap)
                    kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            static void InALoop(kvm kvm, kvm_gfn_range[] ranges)
            {
                write_lock(kvm.mmu_lock);
                for (var i = 0; i < ranges.Length; i++)
                    kvm_unmap_gfn_range(kvm, ref ranges[i]);
                {|KVM0006:write_unlock(kvm.mmu_lock)|};
            }

            static void InALockStatement(kvm kvm, kvm_gfn_range range)
            {
                lock (kvm.mmu_lock)
                {
                    kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}
            }

            // The flush settled the first zap's result, not the second's.
            static void AfterTheFlushOfAnother(kvm kvm, kvm_gfn_range a, kvm_gfn_range b)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref a))
                    kvm_flush_remote_tlbs(kvm);
                kvm_unmap_gfn_range(kvm, ref b);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            // A flush on the other branch is no flush for this zap.
            static void FlushedOnlyOnTheOtherBranch(kvm kvm, kvm_gfn_range range, bool fast)
            {
                KVM_MMU_LOCK(kvm);
                if (fast)
                {
                    kvm_unmap_gfn_range(kvm, ref range);
                    kvm_flush_remote_tlbs(kvm);
                }
                else
                {
                    kvm_unmap_gfn_range(kvm, ref range);
                }

                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            // A helper that zaps and returns the result is a zap at its call.
            static bool zap(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static void ThroughAHelper(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                zap(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    [Fact]
    public Task AFlushThatMayFollowTheZap_IsTakenAsTheOneMeantForIt() => VerifyPort("""
        static class C
        {
            static void FlushedBeforeTheRelease(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            // A condition the analysis cannot relate to the zaps (there were some) may be the port's way of asking.
            static void FlushedUnderAnotherCondition(kvm kvm, kvm_gfn_range[] ranges)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var r in ranges)
                {
                    var range = r;
                    kvm_unmap_gfn_range(kvm, ref range);
                }

                if (ranges.Length > 0)
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static bool dirty;

            static void flush_if_dirty(kvm kvm)
            {
                if (dirty)
                    kvm_flush_remote_tlbs(kvm);
            }

            // A helper that may flush may be the flush meant for it.
            static void ThroughAHelperThatMayFlush(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                flush_if_dirty(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void InAFinally(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                try
                {
                    kvm_unmap_gfn_range(kvm, ref range);
                }
                finally
                {
                    kvm_flush_remote_tlbs(kvm);
                    KVM_MMU_UNLOCK(kvm);
                }
            }

            static void flush_and_unlock(kvm kvm)
            {
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void ReleasedByAHelperThatFlushesFirst(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                flush_and_unlock(kvm);
            }

            // A helper that flushes for its zap before it returns what was zapped owes its caller nothing.
            static bool zap_and_flush(kvm kvm, ref kvm_gfn_range range)
            {
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                return flush;
            }

            static void ThroughAZapThatFlushes(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                zap_and_flush(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
            }

            static int zapped;

            static void ThroughAZapThatFlushes_ItsResultKept(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var any = zap_and_flush(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
                if (any)
                    zapped++;
            }

            // The lock is the caller's: it releases it, and the rule does not follow the result there.
            static void HeldOnEntry(kvm kvm, kvm_gfn_range range)
            {
                lockdep_assert_held_write(kvm.mmu_lock);
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void NoLockHere(kvm kvm, kvm_gfn_range range)
            {
                kvm_unmap_gfn_range(kvm, ref range);
            }

            // A kept result tested where the zap is: not discarded.
            static void TestedWhereItIsMade(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref range))
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);
}
