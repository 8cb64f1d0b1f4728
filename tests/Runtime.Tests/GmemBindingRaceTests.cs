using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// A memslot deleted while a punch-hole is between invalidate_begin and invalidate_end must not
/// unbalance them (issue 18, defect 2): the kernel holds the guest_memfd invalidate lock across
/// bind/unbind and across begin/end, so the deletion waits for the end.
/// </summary>
public sealed class GmemBindingRaceTests
{
    private static readonly System.TimeSpan Watchdog = System.TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void MemslotDeletedDuringAPunchHole_WaitsForItsEnd_AndNoInvalidationStaysOpen(KvmVmType type)
    {
        var vm = TestVm.Create(type);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 1, isPrivate: true);
        using var begun = new ManualResetEventSlim();
        using var mayEnd = new ManualResetEventSlim();
        vm.Gmem!.BetweenInvalidateBeginAndEnd = () =>
        {
            begun.Set();
            Assert.True(mayEnd.Wait(Watchdog));
        };

        var punch = Threads.Start(() => vm.Gmem.PunchHole(8 * TestVm.Page, 8 * TestVm.Page));
        Assert.True(begun.Wait(Watchdog));
        Assert.Equal(1, vm.Kvm.MmuInvalidateInProgress);

        // Delete the memslot (and so unbind it) while the punch-hole is between begin and end.
        var delete = Threads.Start(() => vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, 0, vm.Hva)));
        var deletedAtOnce = delete.Wait(300);
        mayEnd.Set();

        Assert.True(punch.Wait(Watchdog));
        Assert.True(delete.Wait(Watchdog));
        Assert.False(deletedAtOnce, "the unbind did not wait for the punch-hole's invalidate_end");
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }
}

/// <summary>SNP: a page fallocate allocated is assigned to the guest in the RMP when the guest first gets it (issue 18, defect 5).</summary>
public sealed class GmemPrepareTests
{
    [Fact]
    public void SnpFallocatedPage_IsMadePrivateInTheRmp_OnItsFirstGetPfn_SoTheHostCannotWriteIt()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Gmem!.Allocate(8 * TestVm.Page, 8 * TestVm.Page);

        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(9, 0xAB, isPrivate: true));

        var pfn = Spte.Pfn(KvmMmu.ReadSpte(vm.Slot, 9, privateSide: true));
        Assert.True(vm.Machine.Rmp[pfn].Assigned, "the fallocated page was handed to the guest without being made private in the RMP");
        Assert.False(vm.Machine.Rmp.HostMayWrite(pfn));
    }
}
