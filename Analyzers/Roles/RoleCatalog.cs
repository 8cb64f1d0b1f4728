using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// Every name, attribute and option by which a port's code plays a KVM role (SPEC section
    /// 3), in one place. The syntax gate builds its name sets from it, the flow analysis, the
    /// summaries and the rules ask <see cref="SymbolRoles"/> and <see cref="LockOperations"/>,
    /// which read it, and the code fixes ask the same two. Adding a kernel name is one line here.
    /// </summary>
    internal static class RoleCatalog
    {
        /// <summary>The runtime's own gfn range type.</summary>
        internal const string RuntimeGfnRangeType = "GfnGuard.Runtime.KvmGfnRange";

        /// <summary>
        /// The runtime's factory of a range in upstream's form, <c>KvmGfnRange.WithFilter(slot, start,
        /// end, filter)</c>: OnlyShared where the filter is Shared alone, OnlyPrivate where it is Private
        /// alone (a library method, so no summary of its body exists).
        /// </summary>
        internal const string RuntimeRangeFactoryMethod = "WithFilter";

        /// <summary>Where every .editorconfig key of GfnGuard starts.</summary>
        internal const string OptionPrefix = "gfnguard.";

        /// <summary>struct kvm_gfn_range.</summary>
        internal static readonly RoleNames GfnRangeTypes = new RoleNames(
            "gfn range type", "GfnRangeAttribute", "gfnguard.gfn_range_types",
            "kvm_gfn_range", "KvmGfnRange");

        /// <summary>
        /// HVA-based paths by name (virt/kvm/kvm_main.c); every kvm_mmu_notifier_* callback is one.
        /// The other ways a method becomes one (a parameter of an HVA range type, a walk of the
        /// memslots by HVA) are <see cref="HvaRangeParameterTypes"/> and <see cref="HvaWalkMethods"/>.
        /// </summary>
        internal static readonly RoleNames HvaPathMethods = new RoleNames(
            "HVA-based path", "HvaPathAttribute", "gfnguard.hva_path_methods",
            "__kvm_handle_hva_range", "kvm_handle_hva_range", "kvm_handle_hva_range_no_flush", "HandleHvaRange")
            .WithPrefix("kvm_mmu_notifier_");

        /// <summary>guest_memfd paths (virt/kvm/guest_memfd.c): kvm_gmem_* and __kvm_gmem_*.</summary>
        internal static readonly RoleNames GmemPathMethods = new RoleNames(
            "guest_memfd path", "GmemPathAttribute", "gfnguard.gmem_path_methods",
            "kvm_gmem_invalidate_begin", "kvm_gmem_punch_hole", "kvm_gmem_release", "kvm_gmem_error_folio")
            .WithPrefix("kvm_gmem_", "__kvm_gmem_");

        /// <summary>kvm->mmu_lock.</summary>
        internal static readonly RoleNames MmuLockMembers = new RoleNames(
            "mmu_lock", "MmuLockAttribute", "gfnguard.mmu_lock_members",
            "mmu_lock", "MmuLock");

        /// <summary>Guest-memory reclaim: kvm_arch_guest_memory_reclaimed and what it calls on SEV.</summary>
        internal static readonly RoleNames ReclaimMethods = new RoleNames(
            "reclaim", "ReclaimsGuestMemoryAttribute", "gfnguard.reclaim_methods",
            "kvm_arch_guest_memory_reclaimed", "KvmArchGuestMemoryReclaimed", "ArchGuestMemoryReclaimed", "GuestMemoryReclaimed",
            "sev_guest_memory_reclaimed", "wbinvd_on_all_cpus", "WbinvdOnAllCpus");

        /// <summary>Zaps whose bool result says whether a TLB flush is needed.</summary>
        internal static readonly RoleNames ZapMethods = new RoleNames(
            "zap", "ZapsSptesAttribute", "gfnguard.zap_methods",
            "kvm_unmap_gfn_range", "kvm_mmu_unmap_gfn_range", "kvm_tdp_mmu_unmap_gfn_range", "kvm_tdp_mmu_zap_leafs",
            "kvm_zap_gfn_range", "UnmapGfnRange", "ZapGfnRange");

        /// <summary>Remote TLB flushes.</summary>
        internal static readonly RoleNames TlbFlushMethods = new RoleNames(
            "TLB flush", "FlushesTlbsAttribute", "gfnguard.tlb_flush_methods",
            "kvm_flush_remote_tlbs", "kvm_flush_remote_tlbs_range", "kvm_flush_remote_tlbs_memslot", "FlushRemoteTlbs");

        /// <summary>Methods that take mmu_lock: KVM_MMU_LOCK(kvm), or marked [AcquiresMmuLock].</summary>
        internal static readonly RoleNames AcquireMethods = new RoleNames(
            "takes mmu_lock", "AcquiresMmuLockAttribute", optionKey: null,
            "KVM_MMU_LOCK");

        /// <summary>Methods that drop mmu_lock: KVM_MMU_UNLOCK(kvm), or marked [ReleasesMmuLock].</summary>
        internal static readonly RoleNames ReleaseMethods = new RoleNames(
            "drops mmu_lock", "ReleasesMmuLockAttribute", optionKey: null,
            "KVM_MMU_UNLOCK");

        /// <summary>Methods that run with mmu_lock held on entry: [RequiresMmuLock].</summary>
        internal static readonly RoleNames RequiresLockMethods = new RoleNames(
            "runs under mmu_lock", "RequiresMmuLockAttribute", optionKey: null);

        /// <summary>The attr_filter form (SPEC 3a): the filter member of a gfn range.</summary>
        internal static readonly RoleNames GfnRangeFilterMembers = new RoleNames(
            "gfn range filter", "GfnRangeFilterAttribute", optionKey: null,
            "attr_filter", "AttrFilter");

        /// <summary>enum kvm_gfn_range_filter, as ports name it (SPEC 3a).</summary>
        internal static readonly ImmutableHashSet<string> FilterEnumTypes = ImmutableHashSet.Create("kvm_gfn_range_filter", "KvmGfnRangeFilter");

        /// <summary>KVM_FILTER_SHARED = BIT(0): an enum member or an integer constant of one of these names.</summary>
        internal static readonly ImmutableHashSet<string> FilterSharedNames = ImmutableHashSet.Create("KVM_FILTER_SHARED", "Shared");

        /// <summary>KVM_FILTER_PRIVATE = BIT(1).</summary>
        internal static readonly ImmutableHashSet<string> FilterPrivateNames = ImmutableHashSet.Create("KVM_FILTER_PRIVATE", "Private");

        /// <summary>The kernel's name of a side's filter constant.</summary>
        internal static string FilterKernelName(FlagKind side) => side == FlagKind.OnlyShared ? "KVM_FILTER_SHARED" : "KVM_FILTER_PRIVATE";

        /// <summary>The names a side's filter constant may have.</summary>
        internal static ImmutableHashSet<string> FilterNames(FlagKind side) => side == FlagKind.OnlyShared ? FilterSharedNames : FilterPrivateNames;

        /// <summary>Upstream's bit values, for an integer filter whose constants the analysis cannot see.</summary>
        internal const long FilterSharedBit = 1;
        internal const long FilterPrivateBit = 2;

        /// <summary>Where a guest_memfd file's invalidation filter comes from (kvm_gmem_get_invalidate_filter).</summary>
        internal static readonly RoleNames GmemInvalidateFilterMethods = new RoleNames(
            "guest_memfd invalidation filter", "GmemInvalidateFilterAttribute", optionKey: null,
            "kvm_gmem_get_invalidate_filter");

        /// <summary>Every role with names, an attribute or an option key: what the gate and the option reader go over.</summary>
        internal static readonly ImmutableArray<RoleNames> All = ImmutableArray.Create(
            GfnRangeTypes, HvaPathMethods, GmemPathMethods, MmuLockMembers, ReclaimMethods, ZapMethods, TlbFlushMethods,
            AcquireMethods, ReleaseMethods, RequiresLockMethods, GfnRangeFilterMembers, GmemInvalidateFilterMethods);

        /// <summary>kvm_gfn_range.only_private, as the kernel and the runtime spell it.</summary>
        internal static readonly ImmutableHashSet<string> OnlyPrivateMembers = ImmutableHashSet.Create("only_private", "OnlyPrivate");

        /// <summary>kvm_gfn_range.only_shared.</summary>
        internal static readonly ImmutableHashSet<string> OnlySharedMembers = ImmutableHashSet.Create("only_shared", "OnlyShared");

        /// <summary>
        /// A parameter of one of these types makes a method an HVA-based path: the kernel's
        /// kvm_hva_range and the core mm's mmu_notifier_range. Not kvm_mmu_notifier_range: upstream
        /// passes that to the gfn-based kvm_handle_gfn_range of the attribute path too.
        /// </summary>
        internal static readonly ImmutableHashSet<string> HvaRangeParameterTypes = ImmutableHashSet.Create("kvm_hva_range", "KvmHvaRange", "mmu_notifier_range");

        /// <summary>
        /// Calls that walk the memslots by HVA: a method that makes one is an HVA-based path
        /// (kvm_for_each_memslot_in_hva_range is a macro in C; ports make it a method), and the
        /// runtime's HVA walk.
        /// </summary>
        internal static readonly ImmutableHashSet<string> HvaWalkMethods = ImmutableHashSet.Create(
            "kvm_for_each_memslot_in_hva_range", "hva_to_gfn_memslot");

        /// <summary>The runtime's HVA walk (its kvm_for_each_memslot_in_hva_range): matched with its type, the name alone is no role.</summary>
        internal const string RuntimeHvaWalkType = "GfnGuard.Runtime.KvmMemslots";
        internal const string RuntimeHvaWalkMethod = "FindByHvaRange";

        /// <summary>Lock primitives that take (drop) the lock given as their argument; read and write modes apart.</summary>
        internal static readonly ImmutableHashSet<string> WriteLockFunctions = ImmutableHashSet.Create("write_lock", "spin_lock");
        internal static readonly ImmutableHashSet<string> ReadLockFunctions = ImmutableHashSet.Create("read_lock");
        internal static readonly ImmutableHashSet<string> WriteUnlockFunctions = ImmutableHashSet.Create("write_unlock", "spin_unlock");
        internal static readonly ImmutableHashSet<string> ReadUnlockFunctions = ImmutableHashSet.Create("read_unlock");

        /// <summary>
        /// Calls that take or drop mmu_lock for write, and for read (KVM0007 tells the modes apart):
        /// the primitives, ReaderWriterLockSlim's methods, the runtime's lock and its guards.
        /// KVM_MMU_LOCK is write_lock where mmu_lock is an rwlock (x86).
        /// </summary>
        internal static readonly ImmutableHashSet<string> WriteModeCalls = ImmutableHashSet.Create(
            "KVM_MMU_LOCK", "KVM_MMU_UNLOCK", "write_lock", "write_unlock", "write_trylock",
            "EnterWriteLock", "ExitWriteLock", "TryEnterWriteLock", "WriteLock", "WriteUnlock", "Write");

        internal static readonly ImmutableHashSet<string> ReadModeCalls = ImmutableHashSet.Create(
            "read_lock", "read_unlock", "read_trylock",
            "EnterReadLock", "ExitReadLock", "TryEnterReadLock", "ReadLock", "ReadUnlock", "Read");

        /// <summary>
        /// ReaderWriterLockSlim's upgrade (KVM0007): the upgradeable read lock, the call that
        /// upgrades it to write, and the call that downgrades it back.
        /// </summary>
        internal static readonly ImmutableHashSet<string> UpgradeableReadLockCalls = ImmutableHashSet.Create("EnterUpgradeableReadLock", "TryEnterUpgradeableReadLock");

        internal const string UpgradeCall = "EnterWriteLock";

        internal const string DowngradeCall = "ExitWriteLock";

        /// <summary>The release that undoes an acquisition, by the acquiring call's name (KVM0007's fix).</summary>
        internal static readonly ImmutableDictionary<string, string> ReleaseOfAcquire = new System.Collections.Generic.Dictionary<string, string>
        {
            ["KVM_MMU_LOCK"] = "KVM_MMU_UNLOCK",
            ["write_lock"] = "write_unlock",
            ["read_lock"] = "read_unlock",
            ["spin_lock"] = "spin_unlock",
            ["EnterWriteLock"] = "ExitWriteLock",
            ["EnterReadLock"] = "ExitReadLock",
            ["EnterUpgradeableReadLock"] = "ExitUpgradeableReadLock",
            ["WriteLock"] = "WriteUnlock",
            ["ReadLock"] = "ReadUnlock",
            [EnterCall] = ExitCall,
        }.ToImmutableDictionary();

        /// <summary>
        /// Monitor's calls, given the lock (<c>Monitor.Enter(kvm.mmu_lock)</c>), and the same names
        /// on the lock itself (System.Threading.Lock's and SpinLock's <c>kvm.MmuLock.Enter()</c>).
        /// </summary>
        internal const string EnterCall = "Enter";

        internal const string TryEnterCall = "TryEnter";

        internal const string ExitCall = "Exit";

        /// <summary>Try forms: they take the lock only where they returned true.</summary>
        internal static readonly ImmutableHashSet<string> TryLockFunctions = ImmutableHashSet.Create("spin_trylock", "write_trylock", "read_trylock");

        /// <summary>lockdep_assert_held*(&amp;kvm->mmu_lock): the lock is held from there on.</summary>
        internal static readonly ImmutableHashSet<string> LockdepAsserts =
            ImmutableHashSet.Create("lockdep_assert_held", "lockdep_assert_held_write", "lockdep_assert_held_read");

        /// <summary>The runtime lock's own lockdep assertions, called on the lock (<c>kvm.MmuLock.AssertHeldWrite(...)</c>).</summary>
        internal static readonly ImmutableHashSet<string> LockAssertCalls =
            ImmutableHashSet.Create("AssertHeld", "AssertHeldWrite", "AssertHeldRead");

        /// <summary>Every primitive that names the lock as an argument (the gate's lock names, with the members and macros).</summary>
        internal static readonly ImmutableHashSet<string> LockPrimitives =
            WriteLockFunctions.Union(ReadLockFunctions).Union(WriteUnlockFunctions).Union(ReadUnlockFunctions).Union(TryLockFunctions).Union(LockdepAsserts);

        /// <summary>Every option key GfnGuard reads.</summary>
        internal static readonly ImmutableArray<string> OptionKeys = OptionKeysOf(All);

        /// <summary>
        /// Every name a role can start from when nothing is configured: each role's names and
        /// attribute class (with and without "Attribute"), the flags, the filter form, the HVA
        /// range types and walks, and the lock primitives. A body can use one only if something
        /// of that name is declared, in source or in a library, so a compilation that declares
        /// none of them (and no name with a <see cref="SeedPrefixes"/> prefix) has no role at all.
        /// A plain set, never written after this: read concurrently by every compilation.
        /// </summary>
        internal static readonly System.Collections.Generic.HashSet<string> SeedNames = SeedNamesOf(All);

        /// <summary>The prefixes that give a method a role by its name (kvm_mmu_notifier_, kvm_gmem_, __kvm_gmem_).</summary>
        internal static readonly ImmutableArray<string> SeedPrefixes = HvaPathMethods.Prefixes.AddRange(GmemPathMethods.Prefixes);

        /// <summary>Whether a declared name is one a role can start from (see <see cref="SeedNames"/>).</summary>
        internal static bool IsSeedName(string name)
        {
            if (SeedNames.Contains(name))
            {
                return true;
            }

            foreach (var prefix in SeedPrefixes)
            {
                if (name.StartsWith(prefix, System.StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private static System.Collections.Generic.HashSet<string> SeedNamesOf(ImmutableArray<RoleNames> roles)
        {
            var names = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);
            foreach (var role in roles)
            {
                names.UnionWith(role.Names);
                if (role.Attribute is { } attribute)
                {
                    names.Add(attribute);
                    names.Add(role.AttributeShortName!);
                }
            }

            names.UnionWith(OnlyPrivateMembers);
            names.UnionWith(OnlySharedMembers);
            names.UnionWith(FilterEnumTypes);
            names.UnionWith(HvaRangeParameterTypes);
            names.UnionWith(HvaWalkMethods);
            names.Add(RuntimeHvaWalkMethod);
            names.UnionWith(LockPrimitives);
            return names;
        }

        private static ImmutableArray<string> OptionKeysOf(ImmutableArray<RoleNames> roles)
        {
            var keys = ImmutableArray.CreateBuilder<string>();
            foreach (var role in roles)
            {
                if (role.OptionKey is { } key)
                {
                    keys.Add(key);
                }
            }

            return keys.ToImmutable();
        }
    }
}
