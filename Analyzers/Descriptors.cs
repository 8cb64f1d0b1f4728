using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers
{
    /// <summary>The descriptor of every rule: id, title, message, description and help link in one place.</summary>
    internal static class Descriptors
    {
        internal const string CorrectnessCategory = "KVM.Correctness";

        internal const string ConfigurationCategory = "KVM.Configuration";

        private const string HelpLinkBase = "https://github.com/gfnguard/gfnguard/blob/main/docs/rules/";

        internal static string HelpLink(string id) => HelpLinkBase + id + ".md";

        internal static readonly DiagnosticDescriptor BothFlagsSet = new DiagnosticDescriptor(
            id: DiagnosticIds.BothFlagsSet,
            title: "A gfn range must not be both private-only and shared-only",
            messageFormat: "This sets {0} on a gfn range whose {1} may already be true; {2} and {3} together target no mapping at all",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "struct kvm_gfn_range carries only_private (private mappings only, from guest_memfd) and only_shared (shared mappings only, as every HVA-based mmu_notifier event must use). Setting both is contradictory: a handler that honours the flags zaps or ages nothing, so stale SPTEs survive an invalidation.",
            helpLinkUri: HelpLink(DiagnosticIds.BothFlagsSet));

        internal static readonly DiagnosticDescriptor HvaRangeNotSharedOnly = new DiagnosticDescriptor(
            id: DiagnosticIds.HvaRangeNotSharedOnly,
            title: "An HVA-based path must pass on only shared-only gfn ranges",
            messageFormat: "'{0}' receives a gfn range that is not definitely shared-only on HVA-based path '{1}'; an HVA never maps private (guest_memfd) memory, so the range needs {2}",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Every mmu_notifier event is about host virtual addresses, and private guest memory comes from guest_memfd, which has none. __kvm_handle_hva_range therefore builds every kvm_gfn_range shared-only. A range that may also target private mappings lets an munmap, migration or aging event zap or age private SPTEs it never concerned.",
            helpLinkUri: HelpLink(DiagnosticIds.HvaRangeNotSharedOnly));

        internal static readonly DiagnosticDescriptor ReclaimUnderMmuLock = new DiagnosticDescriptor(
            id: DiagnosticIds.ReclaimUnderMmuLock,
            title: "Guest memory must not be reclaimed while mmu_lock is held",
            messageFormat: "'{0}' reclaims guest memory{1} while mmu_lock is or may be held (taken at line {2}); reclaim can WBINVD every CPU, so it must run after the lock is dropped",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "kvm_arch_guest_memory_reclaimed() writes back and invalidates the caches of every CPU on SEV (wbinvd_on_all_cpus). KVM calls it only after dropping mmu_lock, because holding the lock across it stalls every vCPU fault and every other notifier for milliseconds.",
            helpLinkUri: HelpLink(DiagnosticIds.ReclaimUnderMmuLock));

        internal static readonly DiagnosticDescriptor EmptyFilterAtZap = new DiagnosticDescriptor(
            id: DiagnosticIds.EmptyFilterAtZap,
            title: "A gfn range that reaches a zap must target something",
            messageFormat: "'{0}' zaps a gfn range whose {1} is or may be 0; a filter of 0 targets no mapping at all, so the zap leaves shared and private SPTEs in place",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Upstream's attr_filter is a mask of KVM_FILTER_SHARED and KVM_FILTER_PRIVATE in which 0 is invalid: kvm_gfn_range_filter_to_root_types WARNs on it, and a zap with it removes nothing (on TDX, private pages stay mapped in the secure EPT after guest_memfd frees them). A range built without assigning the filter has filter 0.",
            helpLinkUri: HelpLink(DiagnosticIds.EmptyFilterAtZap));

        internal static readonly DiagnosticDescriptor FlushBeforeUnlock = new DiagnosticDescriptor(
            id: DiagnosticIds.FlushBeforeUnlock,
            title: "The TLB flush a zap asks for must happen before mmu_lock is released",
            messageFormat: "mmu_lock is released before the TLB flush that '{0}' (line {1}) may have asked for{2}; flush before the release, or other vCPUs keep TLB entries for pages the host is about to free",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A zap such as kvm_unmap_gfn_range() returns true when SPTEs were removed and the remote TLBs must be flushed. KVM flushes (kvm_flush_remote_tlbs) before it drops mmu_lock, as __kvm_handle_hva_range and kvm_gmem_invalidate_begin do: once the lock is dropped the host may free the pages, and a vCPU whose TLB still maps one reads and writes freed memory.",
            helpLinkUri: HelpLink(DiagnosticIds.FlushBeforeUnlock));

        internal static readonly DiagnosticDescriptor UnbalancedMmuLock = new DiagnosticDescriptor(
            id: DiagnosticIds.UnbalancedMmuLock,
            title: "mmu_lock must be balanced",
            messageFormat: "{0}",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A method that takes mmu_lock releases it on every path that returns, in the mode it took it (read_unlock after read_lock, write_unlock after write_lock), never releases it when it is not held, and never takes it again while holding it: the kernel's rwlock is not recursive, so that deadlocks. Lock helpers ([AcquiresMmuLock], [ReleasesMmuLock], or bodies that take or drop it on every path) are lock operations, not unbalanced code.",
            helpLinkUri: HelpLink(DiagnosticIds.UnbalancedMmuLock));

        internal static readonly DiagnosticDescriptor GmemRangeNotPrivateOnly = new DiagnosticDescriptor(
            id: DiagnosticIds.GmemRangeNotPrivateOnly,
            title: "A guest_memfd path must pass on only private-only gfn ranges",
            messageFormat: "'{0}' receives a gfn range that is not definitely private-only on guest_memfd path '{1}'; guest_memfd invalidates private memory, so the range needs {2}",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "kvm_gmem_invalidate_begin zaps the mappings of guest_memfd pages that are being punched out or released: private memory. It builds every kvm_gfn_range private-only (attr_filter = KVM_FILTER_PRIVATE). A shared-only range there leaves the private SPTEs mapping freed memory; a range that targets both zaps shared mappings it never concerned.",
            helpLinkUri: HelpLink(DiagnosticIds.GmemRangeNotPrivateOnly));

        internal static readonly DiagnosticDescriptor BothFilterForms = new DiagnosticDescriptor(
            id: DiagnosticIds.BothFilterForms,
            title: "A gfn range type must carry one form of the filter",
            messageFormat: "'{0}' carries both the two bools ({1}, {2}) and '{3}'; GfnGuard reads it in the attr_filter form, so KVM0001 does not apply to it and the two bools are not followed apart from the filter",
            category: ConfigurationCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "In the two-bool form, both flags false means both sides; in the attr_filter form, both bits set means both sides and 0 is invalid. A type with both cannot be read one way: the rules would disagree on what a store means. A port migrating from one form to the other can carry both side by side, one type each.",
            helpLinkUri: HelpLink(DiagnosticIds.BothFilterForms));

        internal static readonly DiagnosticDescriptor UnknownOptionKey = new DiagnosticDescriptor(
            id: DiagnosticIds.UnknownOptionKey,
            title: "A GfnGuard option key must be one that GfnGuard reads",
            messageFormat: "'{0}' is not a GfnGuard option, so it is ignored; did you mean '{1}'?",
            category: ConfigurationCategory,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "GfnGuard reads a fixed set of .editorconfig keys (gfnguard.reclaim_methods, gfnguard.mmu_lock_members, ...). A misspelt key would otherwise be ignored without a word, and the names it was meant to add would play no role: a reclaim under the lock, say, would go unreported.",
            helpLinkUri: HelpLink(DiagnosticIds.UnknownOptionKey),
            customTags: WellKnownDiagnosticTags.CompilationEnd);
    }
}
