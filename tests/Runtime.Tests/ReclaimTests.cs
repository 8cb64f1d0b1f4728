namespace GfnGuard.Runtime.Tests;

/// <summary>kvm_arch_guest_memory_reclaimed: when it runs, what it costs per VM type, and never under mmu_lock.</summary>
public sealed class ReclaimTests
{
    [Theory]
    [InlineData(KvmVmType.Sev, 4)]
    [InlineData(KvmVmType.SevEs, 4)]
    [InlineData(KvmVmType.Snp, 0)]
    [InlineData(KvmVmType.Tdx, 0)]
    [InlineData(KvmVmType.Default, 0)]
    public void Munmap_ReclaimsOnce_AndOnlySevPaysWbinvdOnEveryCpu(KvmVmType type, long expectedWbinvds)
    {
        var vm = TestVm.Create(type, cpus: 4);
        vm.Vcpu.Write(3, 1);

        vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page);

        Assert.Equal(1, vm.Kvm.Stats.Reclaims);
        Assert.Equal(expectedWbinvds, vm.Machine.Wbinvds);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void EventOutsideEveryMemslot_DoesNotReclaim()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        var unrelated = vm.Mm.Mmap(16 * TestVm.Page, populate: true);

        vm.Mm.Munmap(unrelated, 16 * TestVm.Page);

        Assert.Equal(0, vm.Kvm.Stats.Reclaims);
        Assert.Equal(0, vm.Machine.Wbinvds);
        Assert.Equal(0, vm.Kvm.MmuLock.Acquisitions);
    }

    [Fact]
    public void NewerKernels_WritebackOnlyCpusThatRanTheVm()
    {
        var vm = TestVm.Create(KvmVmType.Sev, cpus: 8);
        vm.Kvm.ReclaimOnlyCpusThatRan = true;
        vm.Vcpu.Write(1, 5, isPrivate: true);

        vm.Mm.Munmap(vm.HvaOf(1), TestVm.Page);

        Assert.Equal(1, vm.Machine.Wbinvds);
    }

    [Fact]
    public void SnpPunchHole_ReturnsPageToHypervisorAndFlushesIt()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.SetMemoryAttributes(0, 4, isPrivate: true);
        vm.Vcpu.Write(2, 42, isPrivate: true);
        var pfn = (long)(KvmMmu.ReadSpte(vm.Slot, 2, privateSide: true) >> 12);
        Assert.True(vm.Machine.Rmp[pfn].Assigned);
        Assert.False(vm.Machine.HostWrite(pfn, 1));

        vm.Gmem!.PunchHole(0, 4 * TestVm.Page);

        Assert.False(vm.Machine.Rmp[pfn].Assigned);
        Assert.Equal(1, vm.Machine.PageFlushes);
        Assert.Equal(0, vm.Machine.Wbinvds);
        Assert.Equal(1, vm.Machine.Rmp.Faults);
    }

    [Fact]
    public void TdxPrivateZap_FlushesThePageWithItsKeyId()
    {
        var vm = TestVm.Create(KvmVmType.Tdx);
        vm.Kvm.SetMemoryAttributes(0, 4, isPrivate: true);
        vm.Vcpu.Write(1, 1, isPrivate: true);
        vm.Vcpu.Write(2, 2, isPrivate: true);

        vm.Gmem!.PunchHole(0, 4 * TestVm.Page);

        Assert.Equal(2, vm.Machine.PageFlushes);
        Assert.Equal(2 * CostModel.LinesPerPage * CostModel.FlushCyclesPerLine, vm.Machine.FlushCycles);
    }

    [Fact]
    public void ReclaimUnderMmuLock_IsCaughtByLockdep()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        vm.Kvm.MmuLock.WriteLock();
        try
        {
            Assert.Throws<KvmContractViolationException>(() => KvmArch.kvm_arch_guest_memory_reclaimed(vm.Kvm));
        }
        finally
        {
            vm.Kvm.MmuLock.WriteUnlock();
        }

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.ReclaimUnderMmuLock));
    }

    [Fact]
    public void UnbalancedUnlock_IsCounted()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Kvm.Lockdep.ThrowOnViolation = false;

        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.UnbalancedUnlock));
    }

    [Fact]
    public void ZapWithNoInvalidationOpen_IsCaught()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Vcpu.Write(1, 1);
        var range = new KvmGfnRange(vm.Slot, 0, 4) { OnlyShared = true };

        vm.Kvm.MmuLock.WriteLock();
        try
        {
            Assert.Throws<KvmContractViolationException>(() => KvmMmu.UnmapGfnRange(vm.Kvm, ref range));
        }
        finally
        {
            vm.Kvm.MmuLock.WriteUnlock();
        }
    }

    [Fact]
    public void MmRelease_ZapsEverythingAndReclaimsAfterDroppingTheLock()
    {
        var vm = TestVm.Create(KvmVmType.Sev, cpus: 2);
        for (ulong gfn = 0; gfn < 10; gfn++)
        {
            vm.Vcpu.Write(gfn, gfn, isPrivate: true);
        }

        vm.Mm.Release();

        Assert.Equal(10, vm.Kvm.Stats.ZappedSharedSptes);
        Assert.Equal(1, vm.Kvm.Stats.Reclaims);
        Assert.Equal(2, vm.Machine.Wbinvds);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(0, vm.Machine.Memory.AllocatedPages);
    }
}
