namespace GfnGuard.Runtime
{
    /// <summary>How a page fault ended (kernel: RET_PF_* and the exits to userspace).</summary>
    public enum FaultOutcome
    {
        /// <summary>A mapping is installed (RET_PF_FIXED), or one was already there.</summary>
        Installed,

        /// <summary>No memslot covers the gfn (emulated MMIO, or KVM_EXIT_MMIO in practice).</summary>
        NoMemslot,

        /// <summary>The host could not provide the page (no mapping, not writable): -EFAULT.</summary>
        HostFault,

        /// <summary>The access's private/shared-ness does not match the gfn's attributes: KVM_EXIT_MEMORY_FAULT.</summary>
        MemoryFaultExit,
    }
}
