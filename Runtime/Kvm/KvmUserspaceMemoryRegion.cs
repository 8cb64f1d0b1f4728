namespace GfnGuard.Runtime
{
    /// <summary>
    /// What userspace asks for with KVM_SET_USER_MEMORY_REGION2 (struct kvm_userspace_memory_region2),
    /// in pages rather than bytes. A zero <see cref="PageCount"/> deletes the slot.
    /// </summary>
    public readonly record struct KvmUserspaceMemoryRegion(
        int Slot,
        ulong BaseGfn,
        ulong PageCount,
        ulong UserspaceAddress,
        MemslotFlags Flags = MemslotFlags.None,
        KvmGmem? GuestMemfd = null,
        ulong GuestMemfdOffset = 0,
        int AddressSpaceId = 0);
}
