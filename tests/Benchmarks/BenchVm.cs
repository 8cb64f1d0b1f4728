using System.Linq;
using GfnGuard.Runtime;

namespace GfnGuard.Benchmarks;

/// <summary>A VM whose memory is populated up front, so faults measure KVM's path and not the host's allocator.</summary>
internal sealed class BenchVm
{
    internal const ulong Page = KvmMemorySlot.PageSize;

    internal BenchVm(int slots, ulong pagesPerSlot)
    {
        Machine = new Machine(cpuCount: 4, initialPages: 1 << 19);
        Mm = new HostAddressSpace(Machine);
        Kvm = new Kvm(Machine, KvmVmType.Default, Mm, checkedMode: true);
        Pages = (ulong)slots * pagesPerSlot;
        Hva = Mm.Mmap(Pages * Page, populate: true);
        Kvm.AddMemoryRegions(Enumerable.Range(0, slots)
            .Select(i => new KvmUserspaceMemoryRegion(i, (ulong)i * pagesPerSlot, pagesPerSlot, Hva + ((ulong)i * pagesPerSlot * Page)))
            .ToArray());
    }

    internal Machine Machine { get; }

    internal HostAddressSpace Mm { get; }

    internal Kvm Kvm { get; }

    internal ulong Hva { get; }

    internal ulong Pages { get; }

    internal void FaultAll()
    {
        for (ulong gfn = 0; gfn < Pages; gfn++)
        {
            KvmMmu.PageFault(Kvm, gfn, write: true, isPrivate: false);
        }
    }
}
