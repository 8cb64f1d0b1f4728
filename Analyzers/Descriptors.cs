using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers
{
    /// <summary>The descriptor of every rule: id, title, message, description and help link in one place.</summary>
    internal static class Descriptors
    {
        internal const string CorrectnessCategory = "KVM.Correctness";

        private const string HelpLinkBase = "https://github.com/gfnguard/gfnguard/blob/main/docs/rules/";

        internal static string HelpLink(string id) => HelpLinkBase + id + ".md";

        internal static readonly DiagnosticDescriptor BothFlagsSet = new DiagnosticDescriptor(
            id: DiagnosticIds.BothFlagsSet,
            title: "A gfn range must not be both private-only and shared-only",
            messageFormat: "This sets {0} on a gfn range whose {1} may already be true; OnlyPrivate and OnlyShared together target no mapping at all",
            category: CorrectnessCategory,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "struct kvm_gfn_range carries only_private (private mappings only, from guest_memfd) and only_shared (shared mappings only, as every HVA-based mmu_notifier event must use). Setting both is contradictory: a handler that honours the flags zaps or ages nothing, so stale SPTEs survive an invalidation.",
            helpLinkUri: HelpLink(DiagnosticIds.BothFlagsSet));
    }
}
