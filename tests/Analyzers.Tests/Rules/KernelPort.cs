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
        public struct kvm_mmu_notifier_return { public bool ret; public bool found_memslot; }
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
            public static kvm_memory_slot[] memslots_in_hva_range(kvm kvm, ulong start, ulong last) => new kvm_memory_slot[0];
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }
        """;
}
