namespace GfnGuard.Runtime.Tests;

/// <summary>
/// A contract exception thrown inside the HVA walk, a guest_memfd invalidation or a conversion
/// leaves nothing behind (issue 18, defect 6): mmu_lock dropped, SRCU read section closed, the
/// invalidation ended, and the VM still faults afterwards.
/// </summary>
public sealed class CheckedModeUnwindTests
{
    private static readonly System.TimeSpan Watchdog = System.TimeSpan.FromSeconds(10);

    /// <summary>A guest access after the unwind, on its own thread: a wedged VM would retry its fault forever.</summary>
    private static FaultOutcome AccessWithWatchdog(KvmVcpu vcpu, ulong gfn, bool isPrivate = false)
    {
        var access = Threads.Start(() => vcpu.Write(gfn, 7, isPrivate));
        Assert.True(access.Wait(Watchdog), "watchdog: the VM is wedged (the fault retries forever)");
        return access.Result;
    }

    private static KvmGfnRangeHandler Throwing => (Kvm kvm, ref KvmGfnRange range) => throw new KvmContractViolationException("a handler's violation");

    private static void AssertNothingLeftOpen(TestVm vm)
    {
        Assert.False(vm.Kvm.MmuLock.IsHeld);
        Assert.Equal(0, vm.Kvm.Srcu.ActiveReaders);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
    }

    [Fact]
    public void ViolationInTheHvaWalksHandler_UnwindsLockSrcuAndInvalidation()
    {
        var ops = KvmMmuNotifierOps.Kernel.WithInvalidateRangeStart((Kvm kvm, in MmuNotifierRange range) =>
        {
            kvm.MnInvalidateStarted();
            Kvm.__kvm_handle_hva_range(kvm, new KvmHvaRange(range.Start, range.End, Throwing, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: true));
        });
        var vm = TestVm.Create(KvmVmType.Default, ops: ops);
        vm.Vcpu.Write(3, 1);

        Assert.Throws<KvmContractViolationException>(() => vm.Mm.MadviseDontNeed(vm.HvaOf(3), TestVm.Page));

        AssertNothingLeftOpen(vm);
        Assert.Equal(FaultOutcome.Installed, AccessWithWatchdog(vm.Vcpu, 4));
    }

    [Fact]
    public void ViolationInAGuestMemfdInvalidation_UnwindsAndClosesTheInvalidation()
    {
        var vm = TestVm.Create(KvmVmType.Snp, gmemOps: BuggyPort.GuestMemfdInvalidate.Ops);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 1, isPrivate: true);

        // The buggy port's shared-only range: lockdep throws inside the runtime's unmap.
        Assert.Throws<KvmContractViolationException>(() => vm.Gmem!.PunchHole(8 * TestVm.Page, 8 * TestVm.Page));

        // The port holds mmu_lock across the throw (its own bug): the model drops it at the
        // boundary, and invalidate_end still closes the invalidation.
        AssertNothingLeftOpen(vm);
        Assert.Equal(FaultOutcome.Installed, AccessWithWatchdog(vm.Vcpu, 10, isPrivate: true));
    }

    [Fact]
    public void ViolationInTheRuntimesOwnGuestMemfdInvalidation_LeavesNothingOpen()
    {
        var vm = TestVm.Create(KvmVmType.Snp, gmemOps: new KvmGmemOps(
            (gmem, start, end) => throw new KvmContractViolationException("begin's violation"),
            KvmGmemOps.Kernel.InvalidateEnd));
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);

        Assert.Throws<KvmContractViolationException>(() => vm.Gmem!.PunchHole(8 * TestVm.Page, 8 * TestVm.Page));

        AssertNothingLeftOpen(vm);
    }

    [Fact]
    public void ViolationInAConversionsPrePass_StillRunsThePostPass()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Vcpu.Write(3, 1);
        vm.Kvm.MmuLock.WriteLock();

        // Converting with mmu_lock already held: the pre-pass's lock is a recursive lock (lockdep throws).
        Assert.Throws<KvmContractViolationException>(() => vm.Kvm.SetMemoryAttributes(0, 8, isPrivate: true));

        vm.Kvm.MmuLock.WriteUnlock();
        AssertNothingLeftOpen(vm);
    }
}
