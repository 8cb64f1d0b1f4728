namespace GfnGuard.Analyzers
{
    /// <summary>Every diagnostic id GfnGuard reports, in the order of SPEC section 2.</summary>
    public static class DiagnosticIds
    {
        /// <summary>A gfn range has both <c>OnlyPrivate</c> and <c>OnlyShared</c> set.</summary>
        public const string BothFlagsSet = "KVM0001";

        /// <summary>An HVA-based path passes on a gfn range that is not definitely shared-only.</summary>
        public const string HvaRangeNotSharedOnly = "KVM0002";

        /// <summary>Guest memory is reclaimed while mmu_lock is, or may be, held.</summary>
        public const string ReclaimUnderMmuLock = "KVM0003";

        /// <summary>A gfn range whose attr_filter is, or may be, 0 reaches a zap.</summary>
        public const string EmptyFilterAtZap = "KVM0004";

        /// <summary>A guest_memfd path passes on a gfn range that is not definitely private-only.</summary>
        public const string GmemRangeNotPrivateOnly = "KVM0005";

        /// <summary>mmu_lock is released while a zap's "flush needed" has not been acted on.</summary>
        public const string FlushBeforeUnlock = "KVM0006";

        /// <summary>mmu_lock is not balanced: held at a return, released when not held or in the other mode, or taken again while held.</summary>
        public const string UnbalancedMmuLock = "KVM0007";

        /// <summary>An .editorconfig key starts with <c>gfnguard.</c> but is not one GfnGuard reads (configuration warnings start at KVM0900).</summary>
        public const string UnknownOptionKey = "KVM0900";

        /// <summary>A gfn range type carries both forms of the filter (the two bools and attr_filter), which makes "both sides" ambiguous.</summary>
        public const string BothFilterForms = "KVM0901";
    }
}
