using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>After set_memory_region_test.c: memslots added, deleted and moved while vCPUs fault.</summary>
public sealed class SetMemoryRegionTests
{
    [Fact]
    public void DeleteAndMove_WhileVcpusFault_LeaveNoMappingOfTheOldSlot()
    {
        var vm = TestVm.Create(KvmVmType.Sev, pages: 64);
        var extraHva = vm.Mm.Mmap(64 * TestVm.Page);
        vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 64, extraHva));
        using var stop = new CancellationTokenSource();
        var vcpu = vm.Kvm.CreateVcpu(1);
        var outcomes = new int[4];

        var guest = Task.Factory.StartNew(() =>
        {
            ulong i = 0;
            while (!stop.IsCancellationRequested)
            {
                var outcome = vcpu.Write(1000 + (i++ % 64), i);
                Interlocked.Increment(ref outcomes[(int)outcome]);
            }
        }, TaskCreationOptions.LongRunning);

        KvmMemorySlot? moved = null;
        for (var round = 0; round < 50; round++)
        {
            // Let the vCPU fault on the current layout before changing it again.
            var installed = Volatile.Read(ref outcomes[(int)FaultOutcome.Installed]);
            SpinWait.SpinUntil(() => Volatile.Read(ref outcomes[(int)FaultOutcome.Installed]) > installed, 200);

            moved = vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, round % 2 == 0 ? 2000UL : 1000UL, 64, extraHva));
            if (round % 10 == 9)
            {
                vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 0, 0, 0));
                moved = vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 64, extraHva));
            }
        }

        stop.Cancel();
        Assert.True(guest.Wait(30_000));

        Assert.Equal(moved, vm.Kvm.GfnToMemslot(1000));
        Assert.Null(vm.Kvm.GfnToMemslot(2000));
        Assert.True(outcomes[(int)FaultOutcome.Installed] > 0);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(50 + 5, vm.Kvm.Stats.Reclaims);
        Assert.Equal(0, vm.Machine.Memory.WritesToFreePages);
    }

    [Fact]
    public void OverlappingSlot_IsRefused()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 64);
        var hva = vm.Mm.Mmap(8 * TestVm.Page);

        Assert.Throws<System.InvalidOperationException>(() => vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(5, 60, 8, hva)));
        Assert.NotNull(vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(5, 64, 8, hva)));
    }

    [Fact]
    public void FaultOnADeletedSlot_FindsNoMemslot()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 16);
        vm.Vcpu.Write(3, 1);

        vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, 0, 0));
        vm.Kvm.FlushRemoteTlbs();

        Assert.Equal(FaultOutcome.NoMemslot, vm.Vcpu.Write(3, 2));
        Assert.Equal(1, vm.Kvm.Stats.ZappedSharedSptes);
    }

    [Fact]
    public void SmmAddressSpace_IsWalkedByHvaEvents()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 16);
        var smramHva = vm.Mm.Mmap(4 * TestVm.Page);
        var smram = vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0xA0, 4, smramHva, AddressSpaceId: 1))!;
        Assert.Equal(1, smram.AddressSpaceId);
        var invalidations = vm.Kvm.Stats.Invalidations;

        vm.Mm.Munmap(smramHva, 4 * TestVm.Page);

        Assert.Equal(invalidations + 1, vm.Kvm.Stats.Invalidations);
        Assert.Equal(1, vm.Kvm.Stats.Reclaims);
    }
}
