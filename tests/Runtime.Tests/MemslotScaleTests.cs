using System.Linq;

namespace GfnGuard.Runtime.Tests;

/// <summary>After memslot_perf_test.c: the most memslots an address space takes, and exact HVA walks over them.</summary>
public sealed class MemslotScaleTests
{
    [Fact]
    public void MaxMemslots_HvaEventsHitExactlyTheirSlot()
    {
        var machine = new Machine(2);
        var mm = new HostAddressSpace(machine);
        var kvm = new Kvm(machine, KvmVmType.Default, mm);
        const int count = Kvm.MaxMemslots;
        var hva = mm.Mmap((ulong)count * 2 * TestVm.Page);
        kvm.AddMemoryRegions(Enumerable.Range(0, count)
            .Select(i => new KvmUserspaceMemoryRegion(i, (ulong)i * 2, 2, hva + ((ulong)i * 2 * TestVm.Page)))
            .ToArray());
        Assert.Equal(count, kvm.Memslots().Count);
        Assert.Throws<System.InvalidOperationException>(() => kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(count, 1_000_000, 1, mm.Mmap(TestVm.Page))));

        var vcpu = kvm.CreateVcpu(0);
        Assert.Equal(FaultOutcome.Installed, vcpu.Write(20_001, 1));
        Assert.Equal(FaultOutcome.Installed, vcpu.Write(20_003, 1));

        mm.Munmap(hva + (20_000 * TestVm.Page), 2 * TestVm.Page);

        Assert.Equal(1, kvm.Stats.ZappedSharedSptes);
        Assert.Equal(1, kvm.Stats.Invalidations);
        Assert.Equal(FaultOutcome.HostFault, vcpu.Write(20_001, 2));
    }

    [Fact]
    public void OverlappingHvaRanges_AreAllFound()
    {
        var machine = new Machine(1);
        var mm = new HostAddressSpace(machine);
        var kvm = new Kvm(machine, KvmVmType.Default, mm);
        var hva = mm.Mmap(16 * TestVm.Page);

        // Two slots aliasing the same host memory at different gfns.
        kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, 16, hva));
        kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 100, 8, hva + (4 * TestVm.Page)));
        var vcpu = kvm.CreateVcpu(0);
        vcpu.Write(5, 1);
        vcpu.Write(101, 1);

        mm.Munmap(hva + (5 * TestVm.Page), TestVm.Page);

        Assert.Equal(2, kvm.Stats.ZappedSharedSptes);
    }
}
