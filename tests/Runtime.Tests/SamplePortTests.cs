using CleanPort;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// The sample ports plugged into the model through <see cref="KvmMmuNotifierOps"/>: the clean
/// port behaves exactly like the runtime's own, the buggy one is caught at run time.
/// </summary>
public sealed class SamplePortTests
{
    [Theory]
    [InlineData(KvmVmType.Default)]
    [InlineData(KvmVmType.Sev)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void CleanPortNotifier_CostsWhatTheRuntimesOwnCosts(KvmVmType type)
    {
        var runtime = Workload(TestVm.Create(type));
        var port = Workload(TestVm.Create(type, ops: KvmMainNotifier.Ops));

        Assert.Equal(runtime, port);
        Assert.True(port.Faults > 0 && port.ZappedShared > 0 && port.Reclaims > 0, port.ToString());
    }

    // The yield drops and retakes mmu_lock inside the guard's scope: the zap still removes both
    // sides, the flush owed before each yield is done, and lockdep sees a balanced lock.
    [Theory]
    [InlineData(KvmVmType.SwProtected, 1)]
    [InlineData(KvmVmType.Snp, 1)]
    [InlineData(KvmVmType.Tdx, 2)]
    public void CleanPortZapGfnRange_YieldingUnderAGuard_ZapsBothSides_AndLeavesTheLockFree(KvmVmType type, int yieldEvery)
    {
        var vm = TestVm.Create(type);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(1, 0xAA);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);
        Assert.True(vm.SharedMapped(1) && vm.PrivateMapped(9));

        var acquisitions = vm.Kvm.MmuLock.Acquisitions;
        ZapGfnRange.kvm_zap_gfn_range(vm.Kvm, 0, 64, yieldEvery);

        // The guard's lock, and the yield's retake when the one memslot is a yield point.
        Assert.Equal(yieldEvery == 1 ? 2 : 1, vm.Kvm.MmuLock.Acquisitions - acquisitions);

        Assert.False(vm.SharedMapped(1));
        Assert.False(vm.PrivateMapped(9));
        Assert.False(vm.Kvm.MmuLock.IsHeld);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.Equal(0, vm.Kvm.Stats.StaleTlbEntriesAtUnlock);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void CleanPortGmemInvalidate_ZapsOnlyPrivate_KeepsTheWindowOpen_AndNeverReclaims()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(1, 0xAA);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);

        GuestMemfdInvalidate.kvm_gmem_invalidate_begin(vm.Gmem!, 8, 16);
        var inProgress = vm.Kvm.MmuInvalidateInProgress;
        GuestMemfdInvalidate.kvm_gmem_invalidate_end(vm.Gmem!, 8, 16);

        Assert.Equal(1, inProgress);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.True(vm.SharedMapped(1));
        Assert.False(vm.PrivateMapped(9));
        Assert.Equal(0, vm.Kvm.Stats.Reclaims);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void CleanPortGmemOps_PunchHole_LeavesNoPrivateSpteOnAFreedPage(KvmVmType type)
    {
        var vm = TestVm.Create(type, gmemOps: GuestMemfdInvalidate.Ops);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);

        vm.Gmem!.PunchHole(8 * TestVm.Page, 8 * TestVm.Page);

        Assert.False(vm.PrivateMapped(9));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(9, 0xCC, isPrivate: true));
        Assert.Equal(0, vm.Kvm.Stats.PrivateSptesLeftOnFreedPages);
        Assert.Equal(0, vm.Kvm.Stats.GuestAccessesToFreedFrames);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void BuggyPortGmemOps_PunchHole_LockdepThrowsInCheckedMode()
    {
        var vm = TestVm.Create(KvmVmType.Snp, gmemOps: BuggyPort.GuestMemfdInvalidate.Ops);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Gmem!.PunchHole(8 * TestVm.Page, 8 * TestVm.Page));

        Assert.Contains(nameof(ContractViolation.GmemRangeNotPrivateOnly), violation.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void BuggyPortGmemOps_PunchHole_LeavesPrivateSptesOnFreedPages_ThatTheGuestThenReaches(KvmVmType type)
    {
        var vm = TestVm.Create(type, checkedMode: false, gmemOps: BuggyPort.GuestMemfdInvalidate.Ops);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        for (ulong gfn = 8; gfn < 12; gfn++)
        {
            vm.Vcpu.Write(gfn, 0xBB, isPrivate: true);
        }

        vm.Gmem!.PunchHole(8 * TestVm.Page, 8 * TestVm.Page);

        Assert.True(vm.PrivateMapped(9));
        Assert.Equal(4, vm.Kvm.Stats.PrivateSptesLeftOnFreedPages);
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.GmemRangeNotPrivateOnly));

        // The guest's next write goes through the stale SPTE into the freed frame: no fault.
        var faults = vm.Kvm.Stats.Faults;
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(9, 0xCC, isPrivate: true));
        Assert.Equal(faults, vm.Kvm.Stats.Faults);
        Assert.Equal(1, vm.Kvm.Stats.GuestAccessesToFreedFrames);
    }

    [Fact]
    public void CleanPortSetMemoryAttributes_ConvertsAndZapsBothSides()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Vcpu.Write(4, 1);

        MemoryAttributes.kvm_vm_set_mem_attributes(vm.Kvm, 0, 8, isPrivate: true);

        Assert.True(vm.Kvm.Attributes.IsPrivate(4));
        Assert.False(vm.SharedMapped(4));
        Assert.Equal(FaultOutcome.MemoryFaultExit, vm.Vcpu.Write(4, 2));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(4, 3, isPrivate: true));
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.Equal(0, vm.Kvm.Stats.Reclaims);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void BuggyPortOnSev_ReclaimsUnderMmuLock_AndLockdepThrows()
    {
        var vm = TestVm.Create(KvmVmType.Sev, ops: BuggyPort.HvaNotifierPort.Ops);
        vm.Vcpu.Write(3, 1);

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page));

        Assert.Contains(nameof(ContractViolation.ReclaimUnderMmuLock), violation.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void BuggyPortOnSnp_ZapsPrivateSptesOnAnHvaEvent_AndLockdepCountsIt()
    {
        var vm = TestVm.Create(KvmVmType.Snp, ops: BuggyPort.HvaNotifierPort.Ops, checkedMode: false);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);

        vm.Mm.MadviseDontNeed(vm.Hva, 64 * TestVm.Page);

        Assert.False(vm.PrivateMapped(9));
        Assert.Equal(1, vm.Kvm.Stats.PrivateSptesZappedByHvaEvents);
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.HvaRangeNotSharedOnly));
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.ReclaimUnderMmuLock));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(9, out var value, isPrivate: true));
        Assert.Equal(0xBBUL, value);
    }

    [Fact]
    public void LockDisciplinePort_UnlocksWithTheFlushPending_AndReturnsHoldingTheLock_LockdepCountsBoth()
    {
        var vm = TestVm.Create(KvmVmType.Sev, ops: BuggyPort.LockDisciplinePort.Ops, checkedMode: false);
        vm.Vcpu.Write(3, 1);

        vm.Mm.TestAndClearYoung(vm.Hva, 64 * TestVm.Page);
        vm.Mm.SwapOut(vm.HvaOf(3), TestVm.Page);
        vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page);

        Assert.True(vm.Kvm.Lockdep.Count(ContractViolation.UnlockWithFlushPending) > 0);
        Assert.True(vm.Kvm.Stats.StaleTlbEntriesAtUnlock > 0);
        Assert.Equal(0, vm.Kvm.Lockdep.Count(ContractViolation.ReclaimUnderMmuLock));
        Assert.False(vm.Kvm.MmuLock.IsHeld);
    }

    [Fact]
    public void LockDisciplinePort_ClearFlushYoungOnAYoungPage_ReturnsHoldingTheLock()
    {
        var vm = TestVm.Create(KvmVmType.Default, ops: BuggyPort.LockDisciplinePort.Ops);
        vm.Vcpu.Write(3, 1);

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Mm.SwapOut(vm.HvaOf(3), TestVm.Page));

        Assert.Contains(nameof(ContractViolation.ReturnedHoldingMmuLock), violation.Message, System.StringComparison.Ordinal);
        Assert.False(vm.Kvm.MmuLock.IsHeld);
    }

    [Fact]
    public void ReclaimUnderMmuLock_AddsTheFlushToTheLocksHoldTime()
    {
        var clean = TestVm.Create(KvmVmType.Sev, cpus: 4, ops: KvmMainNotifier.Ops);
        var buggy = TestVm.Create(KvmVmType.Sev, cpus: 4, ops: BuggyPort.HvaNotifierPort.Ops, checkedMode: false);
        foreach (var vm in new[] { clean, buggy })
        {
            vm.Vcpu.Write(3, 1);
            vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page);
        }

        Assert.Equal(clean.Machine.Wbinvds, buggy.Machine.Wbinvds);
        Assert.Equal(CostModel.TlbShootdownCycles, clean.Kvm.MmuLock.HeldFlushCycles);
        Assert.True(buggy.Kvm.MmuLock.HeldFlushCycles >= CostModel.TlbShootdownCycles + (4 * CostModel.WbinvdCyclesPerCpu), buggy.Kvm.MmuLock.HeldFlushCycles.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Faults, munmap, madvise, aging, swap-out and migration on a VM; returns what they cost.</summary>
    private static WorkloadCost Workload(TestVm vm)
    {
        var privateSide = vm.Gmem is not null;
        if (privateSide)
        {
            vm.Kvm.SetMemoryAttributes(32, 48, isPrivate: true);
        }

        for (ulong gfn = 0; gfn < 64; gfn++)
        {
            vm.Vcpu.Write(gfn, gfn, isPrivate: privateSide && gfn is >= 32 and < 48);
        }

        vm.Mm.TestAndClearYoung(vm.Hva, 64 * TestVm.Page);
        vm.Mm.SwapOut(vm.Hva, 16 * TestVm.Page);
        vm.Mm.MadviseDontNeed(vm.HvaOf(16), 8 * TestVm.Page);
        vm.Mm.MigratePage(vm.HvaOf(30));
        vm.Mm.Mprotect(vm.HvaOf(40), 4 * TestVm.Page, writable: false);
        vm.Mm.Munmap(vm.Hva, 64 * TestVm.Page);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);

        var stats = vm.Kvm.Stats;
        return new WorkloadCost(stats.Faults, stats.ZappedSharedSptes, stats.ZappedPrivateSptes, stats.Invalidations, stats.Reclaims, stats.AgingChecks, vm.Machine.TlbFlushes, vm.Machine.Wbinvds, vm.Machine.FlushCycles);
    }

    private sealed record WorkloadCost(long Faults, long ZappedShared, long ZappedPrivate, long Invalidations, long Reclaims, long AgingChecks, long TlbFlushes, long Wbinvds, long FlushCycles);
}
