namespace GfnGuard.Runtime.Tests;

/// <summary>A VM with one memslot of <c>pages</c> pages at gfn 0, backed by a fresh mmap (and a guest_memfd when the type has one).</summary>
internal sealed class TestVm
{
    internal const ulong Page = KvmMemorySlot.PageSize;

    private TestVm(KvmVmType type, ulong pages, int cpus, KvmMmuNotifierOps? ops, bool checkedMode, KvmGmemOps? gmemOps)
    {
        Machine = new Machine(cpus);
        Mm = new HostAddressSpace(Machine);
        Kvm = new Kvm(Machine, type, Mm, checkedMode, ops);
        Hva = Mm.Mmap(pages * Page);
        if (type.HasGmemPrivateMemory())
        {
            Gmem = Kvm.CreateGuestMemfd(pages * Page, gmemOps);
            Slot = Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, pages, Hva, MemslotFlags.GuestMemfd, Gmem))!;
        }
        else
        {
            Slot = Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, pages, Hva))!;
        }

        Vcpu = Kvm.CreateVcpu(0);
    }

    internal Machine Machine { get; }

    internal HostAddressSpace Mm { get; }

    internal Kvm Kvm { get; }

    internal ulong Hva { get; }

    internal KvmGmem? Gmem { get; }

    internal KvmMemorySlot Slot { get; }

    internal KvmVcpu Vcpu { get; }

    internal static TestVm Create(KvmVmType type, ulong pages = 64, int cpus = 4, KvmMmuNotifierOps? ops = null, bool checkedMode = true, KvmGmemOps? gmemOps = null) => new(type, pages, cpus, ops, checkedMode, gmemOps);

    internal ulong HvaOf(ulong gfn) => Hva + (gfn * Page);

    internal bool SharedMapped(ulong gfn) => (KvmMmu.ReadSpte(Slot, gfn, privateSide: false) & 1) != 0;

    internal bool PrivateMapped(ulong gfn) => (KvmMmu.ReadSpte(Slot, gfn, privateSide: true) & 1) != 0;
}
