using System;

namespace GfnGuard.Runtime
{
    /// <summary>KVM_MEM_* memslot flags (include/uapi/linux/kvm.h).</summary>
    [Flags]
    public enum MemslotFlags : uint
    {
        None = 0,

        /// <summary>KVM_MEM_LOG_DIRTY_PAGES.</summary>
        LogDirtyPages = 1u << 0,

        /// <summary>KVM_MEM_READONLY.</summary>
        ReadOnly = 1u << 1,

        /// <summary>KVM_MEM_GUEST_MEMFD: private memory comes from a guest_memfd file.</summary>
        GuestMemfd = 1u << 2,
    }
}
