namespace GfnGuard.Runtime.Tests;

/// <summary>
/// Lockdep checks the order of Documentation/virt/kvm/locking.rst and reports an inversion the
/// first time it happens, whether or not the run deadlocks (issue 18).
/// </summary>
public sealed class LockOrderTests
{
    [Fact]
    public void SlotsLockInsideAnSrcuReadSection_IsReported_ThoughNothingDeadlocks()
    {
        var vm = TestVm.Create(KvmVmType.Default, checkedMode: false);

        var idx = vm.Kvm.Srcu.ReadLock();
        using (vm.Kvm.EnterSlotsLock())
        {
        }

        vm.Kvm.Srcu.ReadUnlock(idx);
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.LockOrderInversion));
    }

    [Fact]
    public void SlotsLockInsideMmuLock_IsReported_InCheckedModeAtTheAcquisition()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Kvm.MmuLock.WriteLock();

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Kvm.EnterSlotsLock());

        Assert.Contains("kvm->slots_lock taken while holding kvm->mmu_lock", violation.Message, System.StringComparison.Ordinal);
        vm.Kvm.MmuLock.WriteUnlock();
    }

    [Fact]
    public void ANotifierCallbackThatTakesSlotsLock_UnderTheMmapLock_IsReported()
    {
        // "MMU notifiers must not take either kvm->slots_lock or kvm->slots_arch_lock."
        var ops = KvmMmuNotifierOps.Kernel.WithInvalidateRangeStart((Kvm kvm, in MmuNotifierRange range) =>
        {
            using (kvm.EnterSlotsLock())
            {
                kvm.MmuNotifierInvalidateRangeStart(range);
            }
        });
        var vm = TestVm.Create(KvmVmType.Default, ops: ops, checkedMode: false);
        vm.Vcpu.Write(3, 1);

        vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page);

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.LockOrderInversion));
    }

    [Fact]
    public void SynchronizeInsideAReadSection_IsReportedBeforeItWaitsForItself()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        var idx = vm.Kvm.Srcu.ReadLock();

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Kvm.Srcu.Synchronize());

        Assert.Contains("synchronize_srcu inside an SRCU read-side critical section", violation.Message, System.StringComparison.Ordinal);
        vm.Kvm.Srcu.ReadUnlock(idx);
    }

    [Fact]
    public void TheModelsOwnFlows_KeepTheOrder()
    {
        foreach (var type in new[] { KvmVmType.Default, KvmVmType.Sev, KvmVmType.Snp, KvmVmType.Tdx })
        {
            var vm = TestVm.Create(type);
            vm.Vcpu.Write(1, 1);
            if (vm.Gmem is { } gmem)
            {
                vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
                vm.Vcpu.Write(9, 1, isPrivate: true);
                gmem.PunchHole(8 * TestVm.Page, 4 * TestVm.Page);
            }

            vm.Mm.SwapOut(vm.Hva, 4 * TestVm.Page);
            vm.Mm.Munmap(vm.HvaOf(2), TestVm.Page);
            vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, 0, vm.Hva));
            vm.Mm.Release();

            Assert.Equal(0, vm.Kvm.Lockdep.Count(ContractViolation.LockOrderInversion));
        }
    }
}
