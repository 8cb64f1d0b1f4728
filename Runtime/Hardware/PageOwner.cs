namespace GfnGuard.Runtime
{
    /// <summary>Who a host page belongs to.</summary>
    public enum PageOwner : byte
    {
        /// <summary>On the free list.</summary>
        Free,

        /// <summary>Mapped into a host process (VMM memory backing shared guest memory).</summary>
        HostProcess,

        /// <summary>Allocated by guest_memfd for a guest's private memory.</summary>
        GuestMemfd,

        /// <summary>Used by the kernel itself.</summary>
        Kernel,
    }
}
