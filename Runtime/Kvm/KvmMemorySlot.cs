using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Binds a range of gfns to a range of host virtual addresses.
    /// Kernel: <c>struct kvm_memory_slot</c> (include/linux/kvm_host.h).
    /// </summary>
    public sealed class KvmMemorySlot
    {
        /// <summary>Bytes per guest page (x86 4 KiB).</summary>
        public const ulong PageSize = 4096;

        public KvmMemorySlot(int id, ulong baseGfn, ulong pageCount, ulong userspaceAddress, MemslotFlags flags = MemslotFlags.None)
        {
            if (pageCount == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(pageCount), "A memslot has at least one page.");
            }

            if (userspaceAddress % PageSize != 0)
            {
                throw new ArgumentException("userspace_addr must be page aligned.", nameof(userspaceAddress));
            }

            Id = id;
            BaseGfn = baseGfn;
            PageCount = pageCount;
            UserspaceAddress = userspaceAddress;
            Flags = flags;
        }

        /// <summary>Slot id (kernel: <c>id</c>).</summary>
        public int Id { get; }

        /// <summary>First gfn (kernel: <c>base_gfn</c>).</summary>
        public ulong BaseGfn { get; }

        /// <summary>Number of pages (kernel: <c>npages</c>).</summary>
        public ulong PageCount { get; }

        /// <summary>HVA of the first page (kernel: <c>userspace_addr</c>).</summary>
        public ulong UserspaceAddress { get; }

        /// <summary>KVM_MEM_* flags.</summary>
        public MemslotFlags Flags { get; }

        /// <summary>One past the last gfn.</summary>
        public ulong EndGfn => BaseGfn + PageCount;

        /// <summary>One past the last HVA.</summary>
        public ulong EndHva => UserspaceAddress + (PageCount * PageSize);

        /// <summary>Kernel: <c>__gfn_to_hva_memslot</c>.</summary>
        public ulong GfnToHva(ulong gfn) => UserspaceAddress + ((gfn - BaseGfn) * PageSize);

        /// <summary>Kernel: <c>hva_to_gfn_memslot</c> (rounds down).</summary>
        public ulong HvaToGfn(ulong hva) => BaseGfn + ((hva - UserspaceAddress) / PageSize);

        public override string ToString() => $"slot {Id}: gfn [{BaseGfn:x}, {EndGfn:x}) hva {UserspaceAddress:x}";
    }
}
