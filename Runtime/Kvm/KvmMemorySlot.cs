using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Binds a range of gfns to a range of host virtual addresses, and (with
    /// <see cref="MemslotFlags.GuestMemfd"/>) to a guest_memfd file for private memory.
    /// Kernel: <c>struct kvm_memory_slot</c> (include/linux/kvm_host.h). A slot is immutable;
    /// moving or deleting one makes a new one, as the kernel does.
    /// </summary>
    public sealed class KvmMemorySlot
    {
        /// <summary>Bytes per guest page (x86 4 KiB).</summary>
        public const ulong PageSize = 4096;

        /// <summary>A memslot outside any VM (for tests and ports that build ranges); a VM makes its own with <see cref="Kvm.SetUserMemoryRegion"/>.</summary>
        /// <param name="id">The slot number (kernel: the low 16 bits of <c>slot</c>).</param>
        /// <param name="baseGfn">The first guest frame number.</param>
        /// <param name="pageCount">Its size in 4 KiB pages.</param>
        /// <param name="userspaceAddress">The HVA (a byte address in the VMM) of its first page.</param>
        /// <param name="flags">KVM_MEM_* flags.</param>
        public KvmMemorySlot(int id, ulong baseGfn, ulong pageCount, ulong userspaceAddress, MemslotFlags flags = MemslotFlags.None)
            : this(id, 0, baseGfn, pageCount, userspaceAddress, flags, null, 0)
        {
        }

        internal KvmMemorySlot(int id, int addressSpaceId, ulong baseGfn, ulong pageCount, ulong userspaceAddress, MemslotFlags flags, KvmGmem? gmem, ulong gmemOffset)
        {
            if (pageCount == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(pageCount), "A memslot has at least one page.");
            }

            if (userspaceAddress % PageSize != 0)
            {
                throw new ArgumentException("userspace_addr must be page aligned.", nameof(userspaceAddress));
            }

            if (((flags & MemslotFlags.GuestMemfd) != 0) != (gmem is not null))
            {
                throw new ArgumentException("KVM_MEM_GUEST_MEMFD goes with a guest_memfd file.", nameof(flags));
            }

            Id = id;
            AddressSpaceId = addressSpaceId;
            BaseGfn = baseGfn;
            PageCount = pageCount;
            UserspaceAddress = userspaceAddress;
            Flags = flags;
            Gmem = gmem;
            GmemOffset = gmemOffset;
            SharedSptes = new SpteTable(pageCount);
            PrivateSptes = gmem is null ? null : new SpteTable(pageCount);
        }

        /// <summary>Slot id (kernel: <c>id</c>).</summary>
        public int Id { get; }

        /// <summary>Address space (x86: 0 normal, 1 SMM; kernel: <c>as_id</c>).</summary>
        public int AddressSpaceId { get; }

        /// <summary>First gfn (kernel: <c>base_gfn</c>).</summary>
        public ulong BaseGfn { get; }

        /// <summary>Number of pages (kernel: <c>npages</c>).</summary>
        public ulong PageCount { get; }

        /// <summary>HVA of the first page (kernel: <c>userspace_addr</c>).</summary>
        public ulong UserspaceAddress { get; }

        /// <summary>KVM_MEM_* flags.</summary>
        public MemslotFlags Flags { get; }

        /// <summary>The guest_memfd file backing private memory (kernel: <c>gmem.file</c>).</summary>
        public KvmGmem? Gmem { get; }

        /// <summary>Page offset of the slot's first gfn in <see cref="Gmem"/> (kernel: <c>gmem.pgoff</c>).</summary>
        public ulong GmemOffset { get; }

        /// <summary>One past the last gfn.</summary>
        public ulong EndGfn => BaseGfn + PageCount;

        /// <summary>One past the last HVA.</summary>
        public ulong EndHva => UserspaceAddress + (PageCount * PageSize);

        /// <summary>The slot is being deleted or moved (kernel: KVM_MEMSLOT_INVALID): faults must not use it.</summary>
        public bool IsInvalid { get; private set; }

        /// <summary>SPTEs of shared mappings (kernel: the TDP MMU's direct root for this slot's gfns).</summary>
        internal SpteTable SharedSptes { get; }

        /// <summary>SPTEs of private mappings (kernel: the mirror root / S-EPT), for guest_memfd slots.</summary>
        internal SpteTable? PrivateSptes { get; }

        /// <summary>Kernel: __gfn_to_hva_memslot.</summary>
        public ulong GfnToHva(ulong gfn) => UserspaceAddress + ((gfn - BaseGfn) * PageSize);

        /// <summary>Kernel: hva_to_gfn_memslot (rounds down).</summary>
        public ulong HvaToGfn(ulong hva) => BaseGfn + ((hva - UserspaceAddress) / PageSize);

        /// <summary>Is guest frame number <paramref name="gfn"/> in [<see cref="BaseGfn"/>, <see cref="EndGfn"/>)?</summary>
        public bool ContainsGfn(ulong gfn) => gfn >= BaseGfn && gfn < EndGfn;

        internal void MarkInvalid() => IsInvalid = true;

        public override string ToString() => $"slot {AddressSpaceId}:{Id}: gfn [{BaseGfn:x}, {EndGfn:x}) hva {UserspaceAddress:x}";
    }
}
