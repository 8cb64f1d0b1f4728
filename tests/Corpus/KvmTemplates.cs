namespace GfnGuard.Corpus;

/// <summary>
/// Methods that play KVM roles, each a form ports really write: the HVA walk, guest_memfd
/// invalidation, every lock form, reclaim calls, flags set in branches and helpers. Each
/// template has a correct form and, where it has one, the way ports get it wrong.
/// </summary>
internal static class KvmTemplates
{
    internal delegate string Template(int n, bool buggy);

    internal static readonly Template[] All =
    {
        HvaWalk, GmemInvalidate, LockStatement, WriteLockPair, MonitorTryFinally, ReclaimAfterUnlock,
        FlagsInBranches, RefHelper, AgingHandler, RequiresLockHelper, InvalidateRangeStart, LazyLockFlag,
    };

    /// <summary>__kvm_handle_hva_range: lazy lock, goto, shared-only ranges (buggy: no filter).</summary>
    private static string HvaWalk(int n, bool buggy) => $$"""
            public static kvm_mmu_notifier_return handle_hva_range_{{n}}(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var r = new kvm_mmu_notifier_return { ret = false, found_memslot = false };
                if (range.end <= range.start)
                    return r;

                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, range.start, range.end - 1))
                {
                    kvm_gfn_range gfn_range;
                    gfn_range.slot = slot;
                    gfn_range.start = System.Math.Max(range.start, slot.userspace_addr);
                    gfn_range.end = System.Math.Min(range.end, slot.userspace_addr + (slot.npages << 12));
                    gfn_range.may_block = range.may_block;
                    gfn_range.only_private = false;
                    gfn_range.only_shared = {{(buggy ? "false" : "true")}};

                    if (!r.found_memslot)
                    {
                        r.found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                        range.on_lock?.Invoke(kvm);
                        if (range.handler == null)
                            goto mmu_unlock;
                    }

                    r.ret |= range.handler(kvm, ref gfn_range);
                }

                if (range.flush_on_ret && r.ret)
                    kvm_flush_remote_tlbs(kvm);

            mmu_unlock:
                if (r.found_memslot)
                    KVM_MMU_UNLOCK(kvm);

                return r;
            }

    """;

    /// <summary>kvm_gmem_invalidate_begin: private-only ranges, lock on the first binding (buggy: both flags).</summary>
    private static string GmemInvalidate(int n, bool buggy) => $$"""
            public static bool gmem_invalidate_begin_{{n}}(kvm kvm, ulong start, ulong end)
            {
                var flush = false;
                var found_memslot = false;
                foreach (var slot in gmem_bindings(kvm, start, end))
                {
                    var gfn_range = new kvm_gfn_range
                    {
                        start = slot.base_gfn + System.Math.Max(slot.gmem_pgoff, start) - slot.gmem_pgoff,
                        end = slot.base_gfn + System.Math.Min(slot.gmem_pgoff + slot.npages, end) - slot.gmem_pgoff,
                        slot = slot,
                        may_block = true,
                        only_private = true,
                        only_shared = {{(buggy ? "true" : "false")}},
                    };

                    if (!found_memslot)
                    {
                        found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                        kvm_mmu_invalidate_begin(kvm);
                    }

                    flush |= kvm_unmap_gfn_range(kvm, ref gfn_range);
                }

                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                if (found_memslot)
                    KVM_MMU_UNLOCK(kvm);
                return flush;
            }

    """;

    /// <summary>A lock statement around the zap, reclaim after it (buggy: inside).</summary>
    private static string LockStatement(int n, bool buggy) => $$"""
            public static void zap_slot_{{n}}(kvm kvm, kvm_memory_slot slot)
            {
                var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages, may_block = true };
                bool flush;
                lock (kvm.mmu_lock)
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                    if (flush)
                        kvm_flush_remote_tlbs(kvm);
                    {{(buggy ? "kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                }

                {{(buggy ? "" : "kvm_arch_guest_memory_reclaimed(kvm);")}}
            }

    """;

    /// <summary>write_lock / write_unlock with an early exit.</summary>
    private static string WriteLockPair(int n, bool buggy) => $$"""
            public static int age_range_{{n}}(kvm kvm, kvm_memory_slot slot, ulong start, ulong end)
            {
                if (end <= start)
                    return 0;

                var young = 0;
                write_lock(kvm.mmu_lock);
                for (var gfn = start; gfn < end; gfn++)
                {
                    var range = new kvm_gfn_range { slot = slot, start = gfn, end = gfn + 1, only_shared = true };
                    if (kvm_age_gfn(kvm, ref range))
                        young++;
                }

                {{(buggy ? "if (young == 0) kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                write_unlock(kvm.mmu_lock);
                return young;
            }

    """;

    /// <summary>Monitor.Enter / Exit in try/finally.</summary>
    private static string MonitorTryFinally(int n, bool buggy) => $$"""
            public static void flush_all_{{n}}(kvm kvm, kvm_memory_slot[] slots)
            {
                System.Threading.Monitor.Enter(kvm.mmu_lock);
                try
                {
                    foreach (var slot in slots)
                    {
                        var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages };
                        kvm_unmap_gfn_range(kvm, ref range);
                    }

                    kvm_flush_remote_tlbs(kvm);
                    {{(buggy ? "kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                }
                finally
                {
                    System.Threading.Monitor.Exit(kvm.mmu_lock);
                }

                {{(buggy ? "" : "kvm_arch_guest_memory_reclaimed(kvm);")}}
            }

    """;

    /// <summary>Reclaim under a condition computed under the lock.</summary>
    private static string ReclaimAfterUnlock(int n, bool buggy) => $$"""
            public static void invalidate_memslot_{{n}}(kvm kvm, kvm_memory_slot slot)
            {
                var found = slot.npages > 0;
                KVM_MMU_LOCK(kvm);
                kvm_mmu_invalidate_begin(kvm);
                var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages, may_block = true };
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
                kvm_mmu_invalidate_end(kvm);
                {{(buggy ? "if (found) kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                KVM_MMU_UNLOCK(kvm);
                {{(buggy ? "" : "if (found) kvm_arch_guest_memory_reclaimed(kvm);")}}
            }

    """;

    /// <summary>Flags set in the two arms of one if/else (buggy: two independent ifs).</summary>
    private static string FlagsInBranches(int n, bool buggy) => $$"""
            public static kvm_gfn_range make_range_{{n}}(kvm_memory_slot slot, bool from_gmem, bool from_hva)
            {
                var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages };
                if (from_gmem)
                    range.only_private = true;
                {{(buggy ? "" : "else ")}}if (from_hva)
                    range.only_shared = true;
                return range;
            }

    """;

    /// <summary>A helper that sets a flag through ref, then a use.</summary>
    private static string RefHelper(int n, bool buggy) => $$"""
            private static void shared_only_{{n}}(ref kvm_gfn_range range)
            {
                range.only_private = false;
                range.only_shared = true;
            }

            public static bool unmap_shared_{{n}}(kvm kvm, kvm_memory_slot slot)
            {
                var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + 1{{(buggy ? ", only_private = true" : "")}} };
                {{(buggy ? "range.only_shared = true;" : "shared_only_" + n + "(ref range);")}}
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                KVM_MMU_UNLOCK(kvm);
                return flush;
            }

    """;

    /// <summary>A notifier aging handler: a kvm_mmu_notifier_ method, so an HVA path.</summary>
    private static string AgingHandler(int n, bool buggy) => $$"""
            public static bool kvm_mmu_notifier_test_young_{{n}}(kvm kvm, kvm_memory_slot slot, ulong start, ulong end)
            {
                var range = new kvm_gfn_range { slot = slot, start = start, end = end{{(buggy ? "" : ", only_shared = true")}} };
                read_lock(kvm.mmu_lock);
                var young = kvm_age_gfn(kvm, ref range);
                read_unlock(kvm.mmu_lock);
                return young;
            }

    """;

    /// <summary>A helper that asserts the lock is held (held on entry).</summary>
    private static string RequiresLockHelper(int n, bool buggy) => $$"""
            private static bool zap_locked_{{n}}(kvm kvm, ref kvm_gfn_range range)
            {
                lockdep_assert_held_write(kvm.mmu_lock);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                {{(buggy ? "kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                return flush;
            }

    """;

    /// <summary>kvm_mmu_notifier_invalidate_range_start: reclaim on the walk's result, after it returned.</summary>
    private static string InvalidateRangeStart(int n, bool buggy) => $$"""
            public static void kvm_mmu_notifier_invalidate_range_start_{{n}}(kvm kvm, ulong start, ulong end, bool blockable)
            {
                var hva_range = new kvm_mmu_notifier_range
                {
                    start = start,
                    end = end,
                    handler = kvm_unmap_gfn_range,
                    on_lock = kvm_mmu_invalidate_begin,
                    flush_on_ret = true,
                    may_block = blockable,
                };

                if (kvm_handle_hva_range(kvm, hva_range).found_memslot)
                    kvm_arch_guest_memory_reclaimed(kvm);
                {{(buggy ? "KVM_MMU_LOCK(kvm); kvm_arch_guest_memory_reclaimed(kvm); KVM_MMU_UNLOCK(kvm);" : "")}}
            }

    """;

    /// <summary>The `locked` boolean correlated with the lock.</summary>
    private static string LazyLockFlag(int n, bool buggy) => $$"""
            public static int zap_slots_{{n}}(kvm kvm, kvm_memory_slot[] slots)
            {
                var locked = false;
                var zapped = 0;
                foreach (var slot in slots)
                {
                    if (slot.npages == 0)
                        continue;
                    if (!locked)
                    {
                        write_lock(kvm.mmu_lock);
                        locked = true;
                    }

                    var range = new kvm_gfn_range { slot = slot, start = slot.base_gfn, end = slot.base_gfn + slot.npages };
                    if (kvm_unmap_gfn_range(kvm, ref range))
                        zapped++;
                }

                {{(buggy ? "if (zapped > 0) kvm_arch_guest_memory_reclaimed(kvm);" : "")}}
                if (locked)
                    write_unlock(kvm.mmu_lock);
                {{(buggy ? "" : "if (zapped > 0) kvm_arch_guest_memory_reclaimed(kvm);")}}
                return zapped;
            }

    """;
}
