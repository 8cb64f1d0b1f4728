namespace GfnGuard.Corpus;

/// <summary>The kernel pieces every generated port declares once, with the kernel's names.</summary>
public static class KernelDeclarations
{
    public const string FileName = "Kernel.cs";

    public const string Text = """
        namespace Port.Kernel
        {
            public sealed class kvm { public readonly object mmu_lock = new object(); public readonly object slots_lock = new object(); public long stat_zaps; }
            public sealed class kvm_memory_slot { public ulong base_gfn, npages, userspace_addr, gmem_pgoff; }
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
            public struct kvm_mmu_notifier_return { public bool ret; public bool found_memslot; }
            public static class K
            {
                public static void KVM_MMU_LOCK(kvm kvm) => System.Threading.Monitor.Enter(kvm.mmu_lock);
                public static void KVM_MMU_UNLOCK(kvm kvm) => System.Threading.Monitor.Exit(kvm.mmu_lock);
                public static void write_lock(object l) { }
                public static void write_unlock(object l) { }
                public static void read_lock(object l) { }
                public static void read_unlock(object l) { }
                public static void lockdep_assert_held_write(object l) { }
                public static void kvm_arch_guest_memory_reclaimed(kvm kvm) { }
                public static void kvm_flush_remote_tlbs(kvm kvm) { }
                public static void kvm_mmu_invalidate_begin(kvm kvm) { }
                public static void kvm_mmu_invalidate_end(kvm kvm) { }
                public static kvm_memory_slot[] kvm_for_each_memslot_in_hva_range(kvm kvm, ulong start, ulong last) => new[] { new kvm_memory_slot() };
                public static kvm_memory_slot[] gmem_bindings(kvm kvm, ulong start, ulong end) => new[] { new kvm_memory_slot() };
                public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) { kvm.stat_zaps++; return range.end > range.start; }
                // An HVA-based path by its kernel name: the one body of this file the rules bind (not graph).
                public static kvm_mmu_notifier_return kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range) => default;
                public static bool kvm_age_gfn(kvm kvm, ref kvm_gfn_range range) => range.start < range.end;
            }
        }
        """;
}
