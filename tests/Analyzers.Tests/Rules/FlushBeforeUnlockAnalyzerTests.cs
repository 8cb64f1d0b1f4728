using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0006: the TLB flush a zap asks for happens before mmu_lock is released.</summary>
public sealed class FlushBeforeUnlockAnalyzerTests
{
    private static Task VerifyPort(string body, string? editorConfig = null) =>
        Verify.VerifyAsync("using static Kernel;\nusing System.Threading;\n" + KernelPort.Declarations + "\n" + body, editorConfig, withRuntime: true);

    [Fact]
    public Task FlushAfterTheUnlock_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var ret = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                if (ret)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """);

    [Fact]
    public Task NoFlushAtAll_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range[] ranges)
            {
                var flush = false;
                write_lock(kvm.mmu_lock);
                for (var i = 0; i < ranges.Length; i++)
                    flush |= kvm_unmap_gfn_range(kvm, ref ranges[i]);
                {|KVM0006:write_unlock(kvm.mmu_lock)|};
            }
        }
        """);

    [Fact]
    public Task FlushOnOnlyOnePath_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range, bool fast)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush && !fast)
                    kvm_flush_remote_tlbs(kvm);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    [Fact]
    public Task LockStatement_ReportsAtItsClosingBrace() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                bool flush;
                lock (kvm.mmu_lock)
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}

                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """);

    [Fact]
    public Task FlushBeforeTheUnlock_IsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range[] ranges)
            {
                var flush = false;
                KVM_MMU_LOCK(kvm);
                foreach (var r in ranges)
                {
                    var range = r;
                    flush |= kvm_unmap_gfn_range(kvm, ref range);
                }

                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task TheZapsBoolTestedDirectly_IsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref range))
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task ResultReturned_IsTheCallersToFlush_AndTheCallerIsChecked() => VerifyPort("""
        static class C
        {
            static bool zap_locked(kvm kvm, ref kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
                return flush;
            }

            static bool zap(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static void Caller(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = zap(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """);

    [Fact]
    public Task ResultStoredInAnOutParameterOrAField_IsTheCallers() => VerifyPort("""
        sealed class C
        {
            bool pending;

            void ToField(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                pending = kvm_unmap_gfn_range(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
            }

            static void ToOut(kvm kvm, kvm_gfn_range range, out bool flush)
            {
                KVM_MMU_LOCK(kvm);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task FlushHelper_CountsAsAFlush() => VerifyPort("""
        static class C
        {
            static void flush_all(kvm kvm)
            {
                kvm_flush_remote_tlbs(kvm);
            }

            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref range))
                    flush_all(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                    flush_all(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    /// <summary>
    /// A helper that flushes on every path where its bool parameter is true flushes for the zap
    /// result passed there (a simulator's <c>FlushIfNeeded(kvm, flush)</c>); one that may skip the
    /// flush when it is true, or that is given another bool, does not.
    /// </summary>
    [Fact]
    public Task HelperThatFlushesWhenItsParameterIsTrue_FlushesForTheZapPassedThere() => VerifyPort("""
        static class C
        {
            static void flush_if(kvm kvm, bool flush)
            {
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }

            static bool flush_or_return(bool young, kvm kvm, bool flush)
            {
                if (!flush)
                    return young;
                kvm_flush_remote_tlbs(kvm);
                return true;
            }

            static void maybe_flush(kvm kvm, bool flush, bool quiet)
            {
                if (flush && !quiet)
                    kvm_flush_remote_tlbs(kvm);
            }

            static void fine(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                flush_if(kvm, flush);
                var again = kvm_unmap_gfn_range(kvm, ref range);
                flush_or_return(false, kvm, flush: again);
                KVM_MMU_UNLOCK(kvm);
            }

            static void skipped(kvm kvm, kvm_gfn_range range, bool other)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                maybe_flush(kvm, flush, quiet: true);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            static void another_bool(kvm kvm, kvm_gfn_range range, bool other)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                flush_if(kvm, other);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    /// <summary>
    /// A zap's missing flush is reported at the first release past it, once: a later release
    /// under a lock taken again owes only what was zapped since (and Fix All flushes each once).
    /// </summary>
    /// <summary>
    /// A release helper that flushes first (<c>flush_and_unlock(kvm)</c>, or for its bool parameter,
    /// of a VM or of the lock it is given) flushes for the caller's zap before its release; the
    /// release was seen first, a false KVM0006 at the call. One that releases first and flushes
    /// after, or flushes on some paths only, still leaves the zap unflushed at the release.
    /// </summary>
    [Fact]
    public Task AReleaseHelperThatFlushesFirst_FlushesBeforeItsRelease() => VerifyPort("""
        static class C
        {
            static void flush_and_unlock(kvm kvm) { kvm_flush_remote_tlbs(kvm); KVM_MMU_UNLOCK(kvm); }
            static void unlock_and_flush(kvm kvm, bool flush)
            {
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
            static void unlock_given(object l, kvm kvm, bool flush)
            {
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                write_unlock(l);
            }
            static void unlock_then_flush(kvm kvm) { KVM_MMU_UNLOCK(kvm); kvm_flush_remote_tlbs(kvm); }
            static void unlock_then_flush_for(kvm kvm, bool flush)
            {
                KVM_MMU_UNLOCK(kvm);
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }
            static void maybe_flush_and_unlock(kvm kvm, bool now)
            {
                if (now)
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void fine(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                flush_and_unlock(kvm);

                KVM_MMU_LOCK(kvm);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                unlock_and_flush(kvm, flush);

                write_lock(kvm.mmu_lock);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                unlock_given(kvm.mmu_lock, kvm, flush);
            }

            static void late(kvm kvm, kvm_gfn_range range, bool now)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:unlock_then_flush(kvm)|};

                KVM_MMU_LOCK(kvm);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:unlock_then_flush_for(kvm, flush)|};

                KVM_MMU_LOCK(kvm);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:maybe_flush_and_unlock(kvm, now)|};

                KVM_MMU_LOCK(kvm);
                flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:unlock_and_flush(kvm, now)|};
            }
        }
        """);

    [Fact]
    public Task AMissingFlush_IsReportedAtTheFirstReleasePastIt_Once() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                KVM_MMU_LOCK(kvm);
                var again = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    [Fact]
    public Task ConfiguredZapAndFlushNames_AreFollowed() => VerifyPort("""
        static class C
        {
            static bool my_zap(kvm kvm) => true;
            static void my_flush(kvm kvm) { }

            static void Bad(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var flush = my_zap(kvm);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                if (flush) my_flush(kvm);
            }

            static void Good(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var flush = my_zap(kvm);
                if (flush) my_flush(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, "gfnguard.zap_methods = my_zap\ngfnguard.tlb_flush_methods = my_flush\n");

    [Fact]
    public Task FaithfulKernelPaths_AreFine() => VerifyPort(KernelPort.FaithfulNotifier);

    [Fact]
    public Task FaithfulGfnRangePath_IsFine() => VerifyPort(KernelPort.FaithfulGfnRangePath);

    [Fact]
    public Task GmemInvalidateBeginAsUpstreamHasIt_IsFine() => VerifyPort("""
        static class Gmem
        {
            static void kvm_gmem_invalidate_begin(kvm kvm, kvm_memory_slot[] bindings, ulong start, ulong end)
            {
                var flush = false;
                var found_memslot = false;
                foreach (var slot in bindings)
                {
                    var gfn_range = new kvm_gfn_range { start = slot.base_gfn + start, end = slot.base_gfn + end, slot = slot, may_block = true, only_private = true };
                    if (!found_memslot)
                    {
                        found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                    }

                    flush |= kvm_unmap_gfn_range(kvm, ref gfn_range);
                }

                if (flush)
                    kvm_flush_remote_tlbs(kvm);

                if (found_memslot)
                    KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task ZapGfnRangeAsX86HasIt_IsFine() => VerifyPort("""
        static class Mmu
        {
            static bool kvm_rmap_zap_gfn_range(kvm kvm, ulong start, ulong end) => true;
            static bool kvm_tdp_mmu_zap_leafs(kvm kvm, ulong start, ulong end, bool flush) => flush;
            static void kvm_flush_remote_tlbs_range(kvm kvm, ulong start, ulong pages) { }

            static void kvm_zap_gfn_range(kvm kvm, ulong gfn_start, ulong gfn_end, bool tdp_mmu_enabled)
            {
                bool flush;
                write_lock(kvm.mmu_lock);
                flush = kvm_rmap_zap_gfn_range(kvm, gfn_start, gfn_end);
                if (tdp_mmu_enabled)
                    flush = kvm_tdp_mmu_zap_leafs(kvm, gfn_start, gfn_end, flush);
                if (flush)
                    kvm_flush_remote_tlbs_range(kvm, gfn_start, gfn_end - gfn_start);
                write_unlock(kvm.mmu_lock);
            }
        }
        """);

    [Fact]
    public Task ZapAllFastAsUpstreamHasIt_IsFine() => VerifyPort(UnbalancedMmuLockAnalyzerTests.ZapAllFast);

    /// <summary>
    /// A lambda or local function that keeps a zap's result in a bool it captured (`void
    /// zap_slot(slot) { ...; flush |= kvm_unmap_gfn_range(kvm, ref r); }`) leaves that bool owing a
    /// flush where it runs (SPEC 2: what it does happens there), as the store written there would.
    /// Before, the call only forgot the bool, flush owed and all: a missing flush was not reported.
    /// </summary>
    [Fact]
    public Task AZapResultANestedFunctionKeeps_IsOwedWhereItRuns() => VerifyPort("""
        static class C
        {
            static System.Collections.Generic.List<kvm_memory_slot> slots = new System.Collections.Generic.List<kvm_memory_slot>();

            static void LocalFunction(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var flush = false;
                void zap_slot(kvm_memory_slot slot) { var r = new kvm_gfn_range { slot = slot, only_shared = true }; flush |= kvm_unmap_gfn_range(kvm, ref r); }
                foreach (var slot in slots) zap_slot(slot);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            static void ForEach(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var flush = false;
                slots.ForEach(slot => { var r = new kvm_gfn_range { slot = slot, only_shared = true }; flush |= kvm_unmap_gfn_range(kvm, ref r); });
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            static void FlushedBeforeTheUnlock(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                var flush = false;
                void zap_slot(kvm_memory_slot slot) { var r = new kvm_gfn_range { slot = slot, only_shared = true }; flush |= kvm_unmap_gfn_range(kvm, ref r); }
                foreach (var slot in slots) zap_slot(slot);
                if (flush) kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void AFunctionThatLocksAndFlushesItself(kvm kvm)
            {
                var flush = false;
                void zap_slot(kvm_memory_slot slot)
                {
                    KVM_MMU_LOCK(kvm);
                    var r = new kvm_gfn_range { slot = slot, only_shared = true };
                    flush |= kvm_unmap_gfn_range(kvm, ref r);
                    if (flush) kvm_flush_remote_tlbs(kvm);
                    KVM_MMU_UNLOCK(kvm);
                }

                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                zap_slot(null);
            }
        }
        """);
}
