namespace GfnGuard.Runtime.Tests;

/// <summary>After guest_memfd_test.c: sizes, allocation, punch-hole, binding rules.</summary>
public sealed class GuestMemfdTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(4095UL)]
    [InlineData(4097UL)]
    public void InvalidSize_IsRefused(ulong size)
    {
        var vm = TestVm.Create(KvmVmType.SwProtected);
        Assert.Throws<System.ArgumentException>(() => vm.Kvm.CreateGuestMemfd(size));
    }

    [Fact]
    public void DefaultVm_HasNoGuestMemfd()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        Assert.Throws<System.InvalidOperationException>(() => vm.Kvm.CreateGuestMemfd(TestVm.Page));
    }

    [Fact]
    public void Allocate_ThenPunchHole_FreesExactlyTheHole()
    {
        var vm = TestVm.Create(KvmVmType.SwProtected);
        var gmem = vm.Kvm.CreateGuestMemfd(16 * TestVm.Page);
        var before = vm.Machine.Memory.AllocatedPages;

        gmem.Allocate(0, 16 * TestVm.Page);
        Assert.Equal(16, gmem.AllocatedPages);
        Assert.Equal(before + 16, vm.Machine.Memory.AllocatedPages);

        gmem.PunchHole(4 * TestVm.Page, 8 * TestVm.Page);
        Assert.Equal(8, gmem.AllocatedPages);
        Assert.Equal(before + 8, vm.Machine.Memory.AllocatedPages);
    }

    [Fact]
    public void UnalignedOrOversizedRanges_AreRefused()
    {
        var vm = TestVm.Create(KvmVmType.SwProtected);
        var gmem = vm.Kvm.CreateGuestMemfd(4 * TestVm.Page);

        Assert.Throws<System.ArgumentException>(() => gmem.PunchHole(1, TestVm.Page));
        Assert.Throws<System.ArgumentException>(() => gmem.Allocate(0, 0));
        Assert.Throws<System.ArgumentOutOfRangeException>(() => gmem.Allocate(0, 5 * TestVm.Page));
    }

    [Fact]
    public void BindingPastTheEnd_OrOverlappingABinding_IsRefused()
    {
        var vm = TestVm.Create(KvmVmType.SwProtected, pages: 8);
        var hva = vm.Mm.Mmap(16 * TestVm.Page);

        Assert.Throws<System.ArgumentException>(() => vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 100, 4, hva, MemslotFlags.GuestMemfd, vm.Gmem, 6)));
        Assert.Throws<System.InvalidOperationException>(() => vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(2, 200, 4, hva, MemslotFlags.GuestMemfd, vm.Gmem, 2)));
    }

    [Fact]
    public void Release_ZapsPrivateMappingsUnderSlotsLock_AndLeavesTheMemoryToTheInode_WhichEvictFrees()
    {
        var vm = TestVm.Create(KvmVmType.Tdx, pages: 8);
        vm.Kvm.SetMemoryAttributes(0, 8, isPrivate: true);
        for (ulong gfn = 0; gfn < 8; gfn++)
        {
            vm.Vcpu.Write(gfn, gfn, isPrivate: true);
        }

        vm.Gmem!.Release();

        // "Do not free the backing memory, as its lifetime is associated with the inode, not the file."
        Assert.Equal(8, vm.Gmem.AllocatedPages);
        Assert.Equal(8, vm.Kvm.Stats.ZappedPrivateSptes);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(FaultOutcome.HostFault, vm.Vcpu.Write(1, 1, isPrivate: true));

        vm.Gmem.Evict();
        Assert.Equal(0, vm.Gmem.AllocatedPages);
        Assert.Equal(0, vm.Kvm.Stats.PrivateSptesLeftOnFreedPages);
    }
}
