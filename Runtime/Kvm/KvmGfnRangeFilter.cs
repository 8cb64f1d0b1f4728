using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Which mappings a gfn range targets, in upstream's form. Kernel: <c>enum kvm_gfn_range_filter</c>
    /// (include/linux/kvm_host.h), the field <c>attr_filter</c> of <c>struct kvm_gfn_range</c>,
    /// which replaced the two bools of the 2023 series.
    /// </summary>
    /// <remarks>
    /// Mapping to <see cref="KvmGfnRange"/>'s two bools: <see cref="Shared"/> is
    /// <c>OnlyShared</c>; <see cref="Private"/> is <c>OnlyPrivate</c>; <c>Shared | Private</c> is
    /// both false (shared and private); 0 is invalid (upstream WARNs in
    /// <c>kvm_gfn_range_filter_to_root_types</c>) and is refused at run time (KVM0004).
    /// </remarks>
    [Flags]
    public enum KvmGfnRangeFilter
    {
        /// <summary>KVM_FILTER_SHARED = BIT(0): shared mappings.</summary>
        Shared = 1 << 0,

        /// <summary>KVM_FILTER_PRIVATE = BIT(1): private (guest_memfd) mappings.</summary>
        Private = 1 << 1,
    }
}
