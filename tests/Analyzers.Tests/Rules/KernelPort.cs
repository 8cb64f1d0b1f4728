namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>The pieces of virt/kvm/kvm_main.c a port declares itself, with the kernel's names.</summary>
internal static class KernelPort
{
    internal const string Declarations = """
        public sealed class kvm { public object mmu_lock = new object(); public object slots_lock = new object(); }
        public sealed class kvm_memory_slot { public ulong base_gfn, npages, userspace_addr; }
        public struct kvm_gfn_range
        {
            public kvm_memory_slot slot;
            public ulong start, end;
            public bool only_private;
            public bool only_shared;
            public bool may_block;
        }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        public delegate void on_lock_fn_t(kvm kvm);
        public struct kvm_mmu_notifier_range
        {
            public ulong start, end;
            public gfn_handler_t handler;
            public on_lock_fn_t on_lock;
            public bool flush_on_ret, may_block;
        }
        public struct kvm_mmu_notifier_return { public bool ret; public bool found_memslot; } public struct mmu_notifier_range { public ulong start, end; } // the core mm's
        public static class Kernel
        {
            public static void KVM_MMU_LOCK(kvm kvm) { }
            public static void KVM_MMU_UNLOCK(kvm kvm) { }
            public static void write_lock(object l) { }
            public static void write_unlock(object l) { }
            public static void read_lock(object l) { }
            public static void read_unlock(object l) { }
            public static void spin_lock(object l) { }
            public static void spin_unlock(object l) { }
            public static void lockdep_assert_held(object l) { }
            public static void lockdep_assert_held_write(object l) { }
            public static void kvm_arch_guest_memory_reclaimed(kvm kvm) { }
            public static void kvm_flush_remote_tlbs(kvm kvm) { }
            public static kvm_memory_slot[] kvm_for_each_memslot_in_hva_range(kvm kvm, ulong start, ulong last) => new[] { new kvm_memory_slot() };
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }
        """;

    /// <summary>
    /// A port's own lock guard (C#'s RAII, cleanup.h's guard(write_lock)): its constructor takes
    /// mmu_lock, its Dispose drops it.
    /// </summary>
    internal const string ScopedWriteLock = """
        sealed class ScopedWriteLock : System.IDisposable
        {
            private readonly kvm _kvm;
            public ScopedWriteLock(kvm kvm) { _kvm = kvm; KVM_MMU_LOCK(kvm); }
            public void Dispose() => KVM_MMU_UNLOCK(_kvm);
        }

        """;

    /// <summary>
    /// cleanup.h's <c>guard(write_lock)(&amp;kvm->mmu_lock)</c> as a port writes it: a guard whose
    /// constructor takes the lock it is given and whose Dispose drops the one it kept, a helper that
    /// returns one, and helpers that take and drop the lock they are given.
    /// </summary>
    internal const string LockGivenGuards = """
        // cleanup.h's guard(write_lock): the constructor takes the lock it is given, Dispose drops the one it kept.
        readonly struct write_lock_guard : System.IDisposable
        {
            private readonly object _lock;
            public write_lock_guard(object l) { _lock = l; write_lock(l); }
            public void Dispose() => write_unlock(_lock);
        }

        static class Guard
        {
            public static write_lock_guard guard_write_lock(object l) => new write_lock_guard(l);
            public static void lock_it(object l) => write_lock(l);
            public static void unlock_it(object l) => write_unlock(l);
        }

        """;

    /// <summary>
    /// __kvm_handle_hva_range and kvm_mmu_notifier_invalidate_range_start as kvm_main.c has
    /// them (lazy lock, goto mmu_unlock, reclaim after the unlock): no rule may report here.
    /// </summary>
    internal const string FaithfulNotifier = """
        static class KvmMain
        {
            static kvm_mmu_notifier_return __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var r = new kvm_mmu_notifier_return { ret = false, found_memslot = false };
                if (range.end <= range.start)
                    return r;

                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, range.start, range.end - 1))
                {
                    kvm_gfn_range gfn_range;
                    gfn_range.slot = slot;
                    gfn_range.start = range.start;
                    gfn_range.end = range.end;
                    gfn_range.may_block = range.may_block;
                    gfn_range.only_private = false;
                    gfn_range.only_shared = true;

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

            static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static void kvm_mmu_notifier_invalidate_range_start(kvm kvm, ulong start, ulong end)
            {
                var hva_range = new kvm_mmu_notifier_range
                {
                    start = start,
                    end = end,
                    handler = kvm_mmu_unmap_gfn_range,
                    on_lock = k => { },
                    flush_on_ret = true,
                    may_block = true,
                };

                /*
                 * If one or more memslots were found and thus zapped, notify arch code
                 * that guest memory has been reclaimed.  This needs to be done *after*
                 * dropping mmu_lock, as x86's reclaim path is slow.
                 */
                if (__kvm_handle_hva_range(kvm, hva_range).found_memslot)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """;

    /// <summary>
    /// The gfn-based walk of the memory-attribute path, as upstream kvm_main.c has it
    /// (kvm_handle_gfn_range and kvm_vm_set_mem_attributes): it takes a kvm_mmu_notifier_range
    /// too, but walks memslots by gfn and rightly targets both sides (both flags false, as the
    /// seed series wrote it). It is no HVA-based path: no rule may report here.
    /// </summary>
    internal const string FaithfulGfnRangePath = """
        static class KvmMain
        {
            static kvm_memory_slot[] kvm_for_each_memslot_in_gfn_range(kvm kvm, ulong start, ulong end) => new kvm_memory_slot[0];
            static void mutex_lock(object l) { }
            static void mutex_unlock(object l) { }
            static void kvm_mmu_invalidate_begin(kvm kvm) { }
            static void kvm_mmu_invalidate_end(kvm kvm) { }

            static bool kvm_handle_gfn_range(kvm kvm, ref kvm_mmu_notifier_range range)
            {
                kvm_gfn_range gfn_range;
                gfn_range.slot = null;
                gfn_range.may_block = range.may_block;
                // All mappings are in play: the private flag is being toggled.
                gfn_range.only_private = false;
                gfn_range.only_shared = false;
                var found_memslot = false;
                var ret = false;

                foreach (var slot in kvm_for_each_memslot_in_gfn_range(kvm, range.start, range.end))
                {
                    gfn_range.slot = slot;
                    gfn_range.start = System.Math.Max(range.start, slot.base_gfn);
                    gfn_range.end = System.Math.Min(range.end, slot.base_gfn + slot.npages);
                    if (gfn_range.start >= gfn_range.end)
                        continue;

                    if (!found_memslot)
                    {
                        found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                        range.on_lock?.Invoke(kvm);
                    }

                    ret |= range.handler(kvm, ref gfn_range);
                }

                if (range.flush_on_ret && ret)
                    kvm_flush_remote_tlbs(kvm);

                if (found_memslot)
                    KVM_MMU_UNLOCK(kvm);

                return ret;
            }

            static bool kvm_pre_set_memory_attributes(kvm kvm, ref kvm_gfn_range range) => kvm_unmap_gfn_range(kvm, ref range);

            static bool kvm_arch_post_set_memory_attributes(kvm kvm, ref kvm_gfn_range range) => false;

            static int kvm_vm_set_mem_attributes(kvm kvm, ulong start, ulong end, ulong attributes)
            {
                var pre_set_range = new kvm_mmu_notifier_range
                {
                    start = start,
                    end = end,
                    handler = kvm_pre_set_memory_attributes,
                    on_lock = kvm_mmu_invalidate_begin,
                    flush_on_ret = true,
                    may_block = true,
                };
                var post_set_range = new kvm_mmu_notifier_range
                {
                    start = start,
                    end = end,
                    handler = kvm_arch_post_set_memory_attributes,
                    on_lock = kvm_mmu_invalidate_end,
                    may_block = true,
                };

                mutex_lock(kvm.slots_lock);
                kvm_handle_gfn_range(kvm, ref pre_set_range);
                kvm_handle_gfn_range(kvm, ref post_set_range);
                mutex_unlock(kvm.slots_lock);
                return 0;
            }
        }
        """;
}
