using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// The names by which a port's code plays a KVM role (SPEC section 3). Kept as data in one
    /// place; a user adds more through the <c>gfnguard.*</c> .editorconfig options.
    /// </summary>
    internal static class KnownNames
    {
        /// <summary>The runtime's own gfn range type.</summary>
        internal const string RuntimeGfnRangeType = "GfnGuard.Runtime.KvmGfnRange";

        /// <summary>struct kvm_gfn_range, as ports name it.</summary>
        internal static readonly ImmutableHashSet<string> GfnRangeTypes =
            ImmutableHashSet.Create("kvm_gfn_range", "KvmGfnRange");

        internal const string GfnRangeAttribute = "GfnRangeAttribute";

        /// <summary>kvm_gfn_range.only_private.</summary>
        internal static readonly ImmutableHashSet<string> OnlyPrivateMembers =
            ImmutableHashSet.Create("only_private", "OnlyPrivate");

        /// <summary>HVA-based paths by name (virt/kvm/kvm_main.c).</summary>
        internal static readonly ImmutableHashSet<string> HvaPathMethods =
            ImmutableHashSet.Create("__kvm_handle_hva_range", "kvm_handle_hva_range", "kvm_handle_hva_range_no_flush", "HandleHvaRange");

        /// <summary>Every kvm_mmu_notifier_* callback is an HVA-based path.</summary>
        internal const string HvaPathMethodPrefix = "kvm_mmu_notifier_";

        /// <summary>A parameter of one of these types makes a method an HVA-based path.</summary>
        internal static readonly ImmutableHashSet<string> HvaRangeTypes =
            ImmutableHashSet.Create("kvm_hva_range", "KvmHvaRange", "kvm_mmu_notifier_range", "mmu_notifier_range");

        internal const string HvaPathAttribute = "HvaPathAttribute";

        /// <summary>kvm->mmu_lock.</summary>
        internal static readonly ImmutableHashSet<string> MmuLockMembers = ImmutableHashSet.Create("mmu_lock", "MmuLock");

        internal const string MmuLockAttribute = "MmuLockAttribute";
        internal const string AcquiresMmuLockAttribute = "AcquiresMmuLockAttribute";
        internal const string ReleasesMmuLockAttribute = "ReleasesMmuLockAttribute";
        internal const string RequiresMmuLockAttribute = "RequiresMmuLockAttribute";
        internal const string ReclaimsGuestMemoryAttribute = "ReclaimsGuestMemoryAttribute";

        /// <summary>KVM_MMU_LOCK(kvm) and the kernel's lock primitives taking the lock as argument.</summary>
        internal static readonly ImmutableHashSet<string> AcquireMacros = ImmutableHashSet.Create("KVM_MMU_LOCK");
        internal static readonly ImmutableHashSet<string> ReleaseMacros = ImmutableHashSet.Create("KVM_MMU_UNLOCK");
        internal static readonly ImmutableHashSet<string> AcquireFunctions = ImmutableHashSet.Create("write_lock", "read_lock", "spin_lock");
        internal static readonly ImmutableHashSet<string> ReleaseFunctions = ImmutableHashSet.Create("write_unlock", "read_unlock", "spin_unlock");

        /// <summary>lockdep_assert_held*(&amp;kvm->mmu_lock): the lock is held from there on.</summary>
        internal static readonly ImmutableHashSet<string> LockdepAsserts =
            ImmutableHashSet.Create("lockdep_assert_held", "lockdep_assert_held_write", "lockdep_assert_held_read");

        /// <summary>Guest-memory reclaim (kvm_arch_guest_memory_reclaimed and what it calls on SEV).</summary>
        internal static readonly ImmutableHashSet<string> ReclaimMethods = ImmutableHashSet.Create(
            "kvm_arch_guest_memory_reclaimed", "KvmArchGuestMemoryReclaimed", "ArchGuestMemoryReclaimed", "GuestMemoryReclaimed",
            "sev_guest_memory_reclaimed", "wbinvd_on_all_cpus", "WbinvdOnAllCpus");

        /// <summary>kvm_gfn_range.only_shared.</summary>
        internal static readonly ImmutableHashSet<string> OnlySharedMembers =
            ImmutableHashSet.Create("only_shared", "OnlyShared");
    }
}
