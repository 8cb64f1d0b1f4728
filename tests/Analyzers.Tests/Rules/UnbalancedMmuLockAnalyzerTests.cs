using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.UnbalancedMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0007: mmu_lock is released on every path that returns, once, in the mode it was taken.</summary>
public sealed class UnbalancedMmuLockAnalyzerTests
{
    private static Task VerifyPort(string body, string? editorConfig = null) =>
        Verify.VerifyAsync("using static Kernel;\nusing System.Threading;\n" + KernelPort.Declarations + "\n" + body, editorConfig, withRuntime: true);

    [Fact]
    public Task ReturnWithTheLockHeld_Reports() => VerifyPort("""
        static class C
        {
            static bool M(kvm kvm, bool early)
            {
                KVM_MMU_LOCK(kvm);
                if (early)
                    {|KVM0007:return false;|}
                KVM_MMU_UNLOCK(kvm);
                return true;
            }
        }
        """);

    /// <summary>
    /// tdp_mmu.c's kvm_tdp_mmu_zap_leafs asserts the lock held (lockdep_assert_held_write): it
    /// requires the lock of its callers and does not take it, so kvm_zap_gfn_range calling it
    /// under write_lock takes nothing again. A helper that does take it still does.
    /// </summary>
    [Fact]
    public Task AHelperThatAssertsTheLock_IsNoAcquisition() => VerifyPort("""
        static class TdpMmu
        {
            static bool kvm_tdp_mmu_zap_leafs(kvm kvm, ulong start, ulong end, bool flush)
            {
                lockdep_assert_held_write(kvm.mmu_lock);
                return flush || start < end;
            }

            static void take(kvm kvm) => write_lock(kvm.mmu_lock);

            static void kvm_zap_gfn_range(kvm kvm, ulong start, ulong end)
            {
                write_lock(kvm.mmu_lock);
                var flush = kvm_tdp_mmu_zap_leafs(kvm, start, end, false);
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                write_unlock(kvm.mmu_lock);
            }

            static void twice(kvm kvm)
            {
                write_lock(kvm.mmu_lock);
                {|KVM0007:take(kvm)|};
                write_unlock(kvm.mmu_lock);
            }
        }
        """);

    [Fact]
    public Task VoidReturnWithTheLockHeld_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool early)
            {
                write_lock(kvm.mmu_lock);
                if (early)
                {
                    {|KVM0007:return;|}
                }

                write_unlock(kvm.mmu_lock);
            }
        }
        """);

    [Fact]
    public Task FallingOffTheEndWithTheLockHeld_ReportsAtTheClosingBrace() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool x)
            {
                KVM_MMU_LOCK(kvm);
                if (x)
                    KVM_MMU_UNLOCK(kvm);
            {|KVM0007:}|}
        }
        """);

    [Fact]
    public Task ReleaseWhenNotHeldOnSomePath_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool x)
            {
                if (x)
                    KVM_MMU_LOCK(kvm);
                {|KVM0007:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    [Fact]
    public Task DoubleUnlock_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
                {|KVM0007:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);

    [Fact]
    public Task WrongModeRelease_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                write_lock(kvm.mmu_lock);
                {|KVM0007:read_unlock(kvm.mmu_lock)|};
            }
        }
        """);

    [Fact]
    public Task SecondAcquisition_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0007:KVM_MMU_LOCK(kvm)|};
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task LazyLockIdiom_IsFine() => VerifyPort("""
        static class C
        {
            static bool M(kvm kvm, int[] slots, bool a, bool b)
            {
                var locked = false;
                var ret = false;
                foreach (var s in slots)
                {
                    if (a && s > 0) continue;
                    if (!locked)
                    {
                        locked = true;
                        KVM_MMU_LOCK(kvm);
                    }

                    if (b || s == 3) ret = true;
                }

                if (locked)
                    KVM_MMU_UNLOCK(kvm);
                return ret;
            }
        }
        """);

    /// <summary>
    /// An early return before a lock statement that ends the method: the statement's finally
    /// (`if (lockTaken) Monitor.Exit(lock)`) releases the lock on the way to the exit, so nothing is
    /// held there. The finally's bare Monitor.Exit was not seen as touching the lock, and the end
    /// of the method was reported.
    /// </summary>
    [Fact]
    public Task AnEarlyReturnBeforeALockStatementThatEndsTheMethod_IsFine() => VerifyPort("""
        static class C
        {
            static void zap(kvm kvm, kvm_gfn_range range, bool has_private_mem)
            {
                if (!has_private_mem)
                    return;

                lock (kvm.mmu_lock)
                {
                    if (kvm_unmap_gfn_range(kvm, ref range))
                        kvm_flush_remote_tlbs(kvm);
                }
            }

            static void monitor(kvm kvm, int kind)
            {
                switch (kind)
                {
                    case 0:
                        return;
                }

                System.Threading.Monitor.Enter(kvm.mmu_lock);
                try
                {
                    kvm_flush_remote_tlbs(kvm);
                }
                finally
                {
                    System.Threading.Monitor.Exit(kvm.mmu_lock);
                }
            }
        }
        """);

    [Fact]
    public Task FaithfulKernelPaths_AreFine() => VerifyPort(KernelPort.FaithfulNotifier);

    [Fact]
    public Task FaithfulGfnRangePath_IsFine() => VerifyPort(KernelPort.FaithfulGfnRangePath);

    [Fact]
    public Task LockHelpers_AreNotReported() => VerifyPort("""
        static class C
        {
            static void take(kvm kvm) => KVM_MMU_LOCK(kvm);
            static void drop(kvm kvm) => KVM_MMU_UNLOCK(kvm);
            static void M(kvm kvm)
            {
                take(kvm);
                drop(kvm);
            }
        }
        """);

    [Fact]
    public Task HelperThatTakesOnSomePathsOnly_Reports() => VerifyPort("""
        static class C
        {
            static void maybe_take(kvm kvm, bool x)
            {
                if (x)
                    KVM_MMU_LOCK(kvm);
            {|KVM0007:}|}
        }
        """);

    [Fact]
    public Task HeldOnEntry_DropAndRetake_IsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool resched)
            {
                lockdep_assert_held_write(kvm.mmu_lock);
                if (resched)
                {
                    write_unlock(kvm.mmu_lock);
                    write_lock(kvm.mmu_lock);
                }
            }
        }
        """);

    // The same with cond_resched_rwlock_write as the helper a port writes (unlock, resched, lock):
    // it drops its caller's lock before it takes it, so it is no acquisition. It was one, and
    // tdp_mmu_iter_cond_resched "returned with mmu_lock still held". A helper that takes the lock
    // first and drops and retakes it after still takes it.
    [Fact]
    public Task AHelperThatDropsTheCallersLockAndRetakesIt_IsNoAcquisition() => VerifyPort("""
        static class TdpMmu
        {
            static bool need_resched() => false;
            static void cond_resched() { }
            static void cond_resched_rwlock_write(object l) { write_unlock(l); cond_resched(); write_lock(l); }
            static void cond_resched_rwlock_read(object l) { read_unlock(l); cond_resched(); read_lock(l); }
            static void kvm_mmu_resched(kvm kvm) { KVM_MMU_UNLOCK(kvm); cond_resched(); KVM_MMU_LOCK(kvm); }
            static void take_and_cycle(kvm kvm) { KVM_MMU_LOCK(kvm); KVM_MMU_UNLOCK(kvm); KVM_MMU_LOCK(kvm); }

            static bool tdp_mmu_iter_cond_resched(kvm kvm, bool flush, bool shared)
            {
                if (!need_resched())
                    return false;
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                if (shared)
                    cond_resched_rwlock_read(kvm.mmu_lock);
                else
                    cond_resched_rwlock_write(kvm.mmu_lock);
                return true;
            }

            static void zap(kvm kvm, kvm_gfn_range range)
            {
                write_lock(kvm.mmu_lock);
                var flush = false;
                for (var i = 0; i < 4; i++)
                {
                    if (tdp_mmu_iter_cond_resched(kvm, flush, false))
                    {
                        flush = false;
                        continue;
                    }
                    kvm_mmu_resched(kvm);
                    flush |= kvm_unmap_gfn_range(kvm, ref range);
                    if (need_resched())
                    {
                        // kvm_recover_nx_huge_pages: "takes mmu_lock again while it is held" before.
                        if (flush)
                            kvm_flush_remote_tlbs(kvm);
                        flush = false;
                        cond_resched_rwlock_write(kvm.mmu_lock);
                    }
                }
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                write_unlock(kvm.mmu_lock);
            }

            static void taken(kvm kvm, bool early)
            {
                take_and_cycle(kvm);
                if (early)
                    {|KVM0007:return;|}
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    // tdp_mmu.c's tdp_mmu_iter_cond_resched and mmu.c's kvm_zap_obsolete_pages, with
    // cond_resched_rwlock_write written out: no assertion says the caller holds the lock, but
    // dropping it before taking it does. Retaking it gives the caller back what it had.
    [Fact]
    public Task DroppingTheCallersLock_AndRetakingIt_IsFine() => VerifyPort("""
        static class TdpMmu
        {
            static bool need_resched() => false;

            static bool tdp_mmu_iter_cond_resched(kvm kvm, bool flush, bool shared)
            {
                if (!need_resched())
                    return false;
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                if (shared)
                {
                    read_unlock(kvm.mmu_lock);
                    read_lock(kvm.mmu_lock);
                }
                else
                {
                    write_unlock(kvm.mmu_lock);
                    write_lock(kvm.mmu_lock);
                }
                return true;
            }

            static void kvm_zap_obsolete_pages(kvm kvm)
            {
                for (var i = 0; i < 10; i++)
                {
                    if (need_resched())
                    {
                        write_unlock(kvm.mmu_lock);
                        write_lock(kvm.mmu_lock);
                        continue;
                    }
                }
            }

            // A relock helper takes no lock of its own: its callers call it under theirs.
            static void relock(kvm kvm)
            {
                write_unlock(kvm.mmu_lock);
                write_lock(kvm.mmu_lock);
            }

            static void zap_some(kvm kvm)
            {
                write_lock(kvm.mmu_lock);
                for (var i = 0; i < 4; i++)
                {
                    if (tdp_mmu_iter_cond_resched(kvm, false, false))
                        continue;
                    relock(kvm);
                }
                write_unlock(kvm.mmu_lock);
            }
        }

        // The same through a VM held in a field, and a try-lock's lock (of no known owner) released by name.
        sealed class Vm
        {
            public ReaderWriterLockSlim MmuLock { get; } = new ReaderWriterLockSlim();
        }

        sealed class Mmu
        {
            private readonly Vm _vm = new Vm();

            bool IterCondResched(bool resched)
            {
                if (!resched)
                    return false;
                _vm.MmuLock.ExitWriteLock();
                Thread.Yield();
                _vm.MmuLock.EnterWriteLock();
                return true;
            }

            bool HandleRange(bool mayBlock, int slots)
            {
                var locked = false;
                for (var i = 0; i < slots; i++)
                {
                    if (!locked)
                    {
                        if (!mayBlock)
                        {
                            if (!_vm.MmuLock.TryEnterWriteLock(0))
                                return false;
                        }
                        else
                        {
                            _vm.MmuLock.EnterWriteLock();
                        }
                        locked = true;
                    }
                }
                if (locked)
                    _vm.MmuLock.ExitWriteLock();
                return locked;
            }
        }
        """);

    // The other side of the test above: what dropping the caller's lock does not excuse.
    [Fact]
    public Task DroppingTheCallersLock_StillReportsWhatIsWrongAfterIt() => VerifyPort("""
        static class C
        {
            static void retake_twice(kvm kvm, bool err)
            {
                write_unlock(kvm.mmu_lock);
                write_lock(kvm.mmu_lock);
                if (err)
                    {|KVM0007:write_lock(kvm.mmu_lock)|};
            }

            static void release_twice(kvm kvm)
            {
                write_unlock(kvm.mmu_lock);
                {|KVM0007:write_unlock(kvm.mmu_lock)|};
            }

            // The release's other path holds a lock taken here, so the caller's cannot be held.
            static void taken_on_one_path(kvm kvm, bool x)
            {
                if (x)
                    write_lock(kvm.mmu_lock);
                for (var i = 0; i < 2; i++)
                {
                    {|KVM0007:write_unlock(kvm.mmu_lock)|};
                    write_lock(kvm.mmu_lock);
                }
            {|KVM0007:}|}

            // Took it fresh on one path and returns holding it: not the caller's to get back.
            static void fresh_on_one_path(kvm kvm, bool x)
            {
                if (x)
                {
                    write_unlock(kvm.mmu_lock);
                    write_lock(kvm.mmu_lock);
                    return;
                }
                write_lock(kvm.mmu_lock);
            {|KVM0007:}|}
        }
        """);

    // ReaderWriterLockSlim's upgradeable read lock exists to be upgraded: EnterWriteLock under
    // it is no second acquisition, and its ExitWriteLock leaves the upgradeable lock held. Under
    // a plain read lock, or a write lock, EnterWriteLock is still one (ReaderWriterLockSlim throws).
    [Fact]
    public Task AnUpgradeableReadLock_IsUpgradedAndDowngraded() => VerifyPort("""
        sealed class Vm { public ReaderWriterLockSlim MmuLock { get; } = new ReaderWriterLockSlim(); }

        static class C
        {
            static void upgrade(Vm vm, bool x)
            {
                vm.MmuLock.EnterUpgradeableReadLock();
                try
                {
                    if (x)
                    {
                        vm.MmuLock.EnterWriteLock();
                        try { } finally { vm.MmuLock.ExitWriteLock(); }
                    }
                }
                finally
                {
                    vm.MmuLock.ExitUpgradeableReadLock();
                }
            }

            static void from_read(Vm vm)
            {
                vm.MmuLock.EnterReadLock();
                {|KVM0007:vm.MmuLock.EnterWriteLock()|};

                // The ExitWriteLock dropped the only lock the path held.
                vm.MmuLock.ExitWriteLock();
                {|KVM0007:vm.MmuLock.ExitReadLock()|};
            }
        }
        """);

    [Fact]
    public Task LockStatementAndExceptionPaths_AreFine() => VerifyPort("""
        static class C
        {
            static int M(kvm kvm, int x)
            {
                lock (kvm.mmu_lock)
                {
                    if (x > 3) return 1;
                }

                KVM_MMU_LOCK(kvm);
                if (x < 0)
                    throw new System.ArgumentException();
                KVM_MMU_UNLOCK(kvm);
                return 0;
            }
        }
        """);

    [Fact]
    public Task TryLock_TakenOnlyWhereItSucceeded_IsFine() => VerifyPort("""
        static class C
        {
            static bool M(kvm kvm)
            {
                if (!Monitor.TryEnter(kvm.mmu_lock))
                    return false;
                Monitor.Exit(kvm.mmu_lock);
                return true;
            }
        }
        """);

    [Fact]
    public Task RuntimeLockAndGuards_AreFine() => VerifyPort("""
        static class R
        {
            static void M(GfnGuard.Runtime.Kvm kvm, bool x)
            {
                kvm.MmuLock.WriteLock();
                try
                {
                    if (x) return;
                }
                finally
                {
                    kvm.MmuLock.WriteUnlock();
                }

                kvm.MmuLock.ReadLock();
                kvm.MmuLock.ReadUnlock();
            }
        }
        """);

    [Fact]
    public Task RuntimeWrongMode_Reports() => VerifyPort("""
        static class R
        {
            static void M(GfnGuard.Runtime.Kvm kvm)
            {
                kvm.MmuLock.ReadLock();
                {|KVM0007:kvm.MmuLock.WriteUnlock()|};
            }
        }
        """);

    [Fact]
    public Task EachVmIsItsOwnLock() => VerifyPort("""
        static class C
        {
            static void M(kvm a, kvm b)
            {
                KVM_MMU_LOCK(a);
                KVM_MMU_LOCK(b);
                KVM_MMU_UNLOCK(b);
                KVM_MMU_UNLOCK(a);
            }
        }
        """);

    [Fact]
    public Task ReturnInsideAForeach_EachWayOutIsItsOwnPath() => VerifyPort("""
        static class C
        {
            static bool Balanced(kvm kvm, System.Collections.Generic.List<int> xs)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var x in xs)
                {
                    if (x > 0)
                    {
                        KVM_MMU_UNLOCK(kvm);
                        return true;
                    }
                }

                KVM_MMU_UNLOCK(kvm);
                return false;
            }

            static bool Early(kvm kvm, System.Collections.Generic.List<int> xs)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var x in xs)
                {
                    if (x > 0)
                        {|KVM0007:return true;|}
                }

                KVM_MMU_UNLOCK(kvm);
                return false;
            }
        }
        """);

    /// <summary>arch/x86/kvm/mmu/mmu.c's kvm_mmu_zap_all_fast: a write section, then a read section; slots_lock asserted, not mmu_lock.</summary>
    internal const string ZapAllFast = """
        static class Mmu
        {
            static void kvm_zap_obsolete_pages(kvm kvm) { }
            static void kvm_tdp_mmu_zap_invalidated_roots(kvm kvm, bool shared) { }
            static void kvm_make_all_cpus_request(kvm kvm, int req) { }

            static void kvm_mmu_zap_all_fast(kvm kvm, bool tdp_mmu_enabled)
            {
                lockdep_assert_held(kvm.slots_lock);
                write_lock(kvm.mmu_lock);
                kvm_make_all_cpus_request(kvm, 1);
                kvm_zap_obsolete_pages(kvm);
                write_unlock(kvm.mmu_lock);
                if (tdp_mmu_enabled)
                {
                    read_lock(kvm.mmu_lock);
                    kvm_tdp_mmu_zap_invalidated_roots(kvm, true);
                    read_unlock(kvm.mmu_lock);
                }
            }

            static void kvm_gmem_invalidate_begin(kvm kvm, kvm_memory_slot[] bindings)
            {
                var flush = false;
                var found_memslot = false;
                foreach (var slot in bindings)
                {
                    var gfn_range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages, may_block = true, only_private = true };
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
        """;

    [Fact]
    public Task ZapAllFastAndGmemInvalidateBegin_AsUpstreamHasThem_AreFine() => VerifyPort(ZapAllFast);

    /// <summary>
    /// __kvm_handle_hva_range since Linux 6.13 (lockless aging): the lock is taken only when the
    /// range is not lockless, and dropped `if (r.found_memslot && !range->lockless)`.
    /// </summary>
    [Fact]
    public Task LocklessWalkAsUpstreamHasIt_IsFine() => VerifyPort("""
        public struct walk_range { public ulong start, end; public bool lockless; public gfn_handler_t handler; public on_lock_fn_t on_lock; public bool flush_on_ret; }

        static class KvmMain
        {
            static kvm_mmu_notifier_return __kvm_handle_hva_range(kvm kvm, in walk_range range, kvm_memory_slot[][] address_spaces)
            {
                var r = new kvm_mmu_notifier_return { ret = false, found_memslot = false };
                if (range.end <= range.start)
                    return r;

                foreach (var slots in address_spaces)
                {
                    foreach (var slot in slots)
                    {
                        var gfn_range = new kvm_gfn_range { slot = slot, start = range.start, end = range.end, only_shared = true };
                        if (!r.found_memslot)
                        {
                            r.found_memslot = true;
                            if (!range.lockless)
                            {
                                KVM_MMU_LOCK(kvm);
                                range.on_lock?.Invoke(kvm);
                            }

                            if (range.handler == null)
                                goto mmu_unlock;
                        }

                        r.ret |= range.handler(kvm, ref gfn_range);
                    }
                }

                if (range.flush_on_ret && r.ret)
                    kvm_flush_remote_tlbs(kvm);

            mmu_unlock:
                if (r.found_memslot && !range.lockless)
                    KVM_MMU_UNLOCK(kvm);

                return r;
            }
        }
        """);
}
