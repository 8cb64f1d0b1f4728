using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>kvm_mmu_invalidate_begin/range_add/end and mmu_invalidate_retry_gfn.</summary>
public sealed class RetryProtocolTests
{
    [Fact]
    public void Begin_RangeAdd_End_FollowTheKernelsBookkeeping()
    {
        var kvm = TestVm.Create(KvmVmType.Default).Kvm;
        var seq = kvm.MmuInvalidateSeq;

        kvm.MmuLock.WriteLock();
        kvm.MmuInvalidateBegin();
        kvm.MmuInvalidateRangeAdd(10, 20);
        kvm.MmuInvalidateBegin();
        kvm.MmuInvalidateRangeAdd(30, 40);

        Assert.Equal(2, kvm.MmuInvalidateInProgress);
        Assert.True(kvm.MmuInvalidateRetryGfn(seq, 10));
        Assert.True(kvm.MmuInvalidateRetryGfn(seq, 25));  // inside the union [10, 40)
        Assert.False(kvm.MmuInvalidateRetryGfn(seq, 40));
        Assert.False(kvm.MmuInvalidateRetryGfn(seq, 9));

        kvm.MmuInvalidateEnd();
        kvm.MmuInvalidateEnd();
        Assert.Equal(0, kvm.MmuInvalidateInProgress);
        Assert.Equal(seq + 2, kvm.MmuInvalidateSeq);
        Assert.True(kvm.MmuInvalidateRetryGfn(seq, 9));      // the sequence moved
        Assert.False(kvm.MmuInvalidateRetryGfn(seq + 2, 15)); // a fresh snapshot is fine
        kvm.MmuLock.WriteUnlock();
        Assert.Equal(0, kvm.Lockdep.Total);
    }

    [Fact]
    public void EndWithoutBegin_IsAnImbalance()
    {
        var kvm = TestVm.Create(KvmVmType.Default).Kvm;
        kvm.MmuLock.WriteLock();
        try
        {
            Assert.Throws<KvmContractViolationException>(kvm.MmuInvalidateEnd);
            Assert.Equal(0, kvm.MmuInvalidateInProgress);
        }
        finally
        {
            kvm.MmuLock.WriteUnlock();
        }
    }

    [Fact]
    public void RetryCheck_WithoutTheLock_IsALockdepViolation()
    {
        var kvm = TestVm.Create(KvmVmType.Default).Kvm;
        Assert.Throws<KvmContractViolationException>(() => kvm.MmuInvalidateRetryGfn(0, 0));
    }

    [Fact]
    public void FaultDuringOpenInvalidation_WaitsAndDoesNotInstallUntilItCloses()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateBegin();
        vm.Kvm.MmuInvalidateRangeAdd(0, 8);
        vm.Kvm.MmuLock.WriteUnlock();

        var fault = Task.Run(() => KvmMmu.PageFault(vm.Kvm, 3, write: true, isPrivate: false));
        SpinWait.SpinUntil(() => vm.Kvm.Stats.FaultRetries > 10, 5000);

        Assert.False(fault.IsCompleted);
        Assert.False(vm.SharedMapped(3));

        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateEnd();
        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(FaultOutcome.Installed, fault.Wait(5000) ? fault.Result : FaultOutcome.HostFault);
        Assert.True(vm.SharedMapped(3));
    }

    [Fact]
    public void FaultOutsideTheInvalidatedRange_ProceedsWhileItIsOpen()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateBegin();
        vm.Kvm.MmuInvalidateRangeAdd(0, 8);
        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(FaultOutcome.Installed, KvmMmu.PageFault(vm.Kvm, 20, write: false, isPrivate: false));

        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateEnd();
        vm.Kvm.MmuLock.WriteUnlock();
    }

    [Fact]
    public void FaultThatResolvedItsPfnBeforeAFinishedInvalidation_MustRetry()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        const ulong gfn = 6;

        // The fault's first half: snapshot, then resolve the pfn with no lock held.
        var mmuSeq = vm.Kvm.MmuInvalidateSeq;
        var pfn = vm.Mm.GetUserPage(vm.HvaOf(gfn), write: true, out _);
        Assert.True(pfn >= 0);

        // A whole invalidation (start and end) runs in between: the page moves.
        vm.Mm.MigratePage(vm.HvaOf(gfn));
        Assert.NotEqual(pfn, vm.Mm.PfnOf(vm.HvaOf(gfn)));
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);

        // The fault's second half must see that its pfn is stale.
        vm.Kvm.MmuLock.ReadLock();
        try
        {
            Assert.True(vm.Kvm.MmuInvalidateRetryGfn(mmuSeq, gfn));
        }
        finally
        {
            vm.Kvm.MmuLock.ReadUnlock();
        }
    }
}

/// <summary>kvm_mmu_invalidate_end WARNs (counts, never throws) when no range was added since begin.</summary>
public sealed class InvalidateEndWarningTests
{
    [Fact]
    public void EndWithNoRangeAdded_IsCountedAsAWarning_EvenInCheckedMode()
    {
        var vm = TestVm.Create(KvmVmType.Default);

        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateBegin();
        vm.Kvm.MmuInvalidateEnd();
        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.InvalidationImbalance));
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);

        // The WARN's message is kept, as the kernel's log keeps it.
        Assert.Equal("kvm_mmu_invalidate_end with no range added since kvm_mmu_invalidate_begin", vm.Kvm.Lockdep.LastMessage(ContractViolation.InvalidationImbalance));
        Assert.Null(vm.Kvm.Lockdep.LastMessage(ContractViolation.LockOrderInversion));
    }
}
