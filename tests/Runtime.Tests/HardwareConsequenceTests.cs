namespace GfnGuard.Runtime.Tests;

/// <summary>Why the flushes exist: in the model, as on hardware without coherency, skipping one corrupts data.</summary>
public sealed class HardwareConsequenceTests
{
    private const ulong HostData = 0x1234_5678_9ABC_DEF0;

    [Fact]
    public void SevPageFreedWithoutFlush_CorruptsItsNextOwnersData()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        vm.Vcpu.Write(5, 0xC0FFEE, isPrivate: true);
        var pfn = vm.Mm.PfnOf(vm.HvaOf(5));

        // A host that frees the frame without any flush (what reclaim-less code does) ...
        vm.Machine.Memory.Free(pfn);
        var reused = vm.Machine.Memory.Allocate(PageOwner.Kernel);
        Assert.Equal(pfn, reused);
        Assert.True(vm.Machine.HasForeignDirtyLine(reused, keyId: 0));
        vm.Machine.HostWrite(reused, HostData);

        // ... until the guest's dirty line is evicted and lands on the new owner's data.
        vm.Machine.EvictAllCaches();

        Assert.NotEqual(HostData, vm.Machine.HostRead(reused));
    }

    [Fact]
    public void SevMunmapWithReclaim_WbinvdPreventsTheCorruption()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        vm.Vcpu.Write(5, 0xC0FFEE, isPrivate: true);
        var pfn = vm.Mm.PfnOf(vm.HvaOf(5));

        vm.Mm.Munmap(vm.HvaOf(5), TestVm.Page);
        var reused = vm.Machine.Memory.Allocate(PageOwner.Kernel);
        Assert.Equal(pfn, reused);
        Assert.False(vm.Machine.HasForeignDirtyLine(reused, keyId: 0));
        vm.Machine.HostWrite(reused, HostData);
        vm.Machine.EvictAllCaches();

        Assert.Equal(HostData, vm.Machine.HostRead(reused));
        Assert.Equal(4, vm.Machine.Wbinvds);
    }

    [Fact]
    public void SnpSkipsWbinvd_AndSharedPagesStayIntactBecausePrivateOnesNeverHadAnHva()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Vcpu.Write(5, 0xC0FFEE);
        var pfn = vm.Mm.PfnOf(vm.HvaOf(5));

        vm.Mm.Munmap(vm.HvaOf(5), TestVm.Page);
        var reused = vm.Machine.Memory.Allocate(PageOwner.Kernel);
        Assert.Equal(pfn, reused);
        vm.Machine.HostWrite(reused, HostData);
        vm.Machine.EvictAllCaches();

        Assert.Equal(HostData, vm.Machine.HostRead(reused));
        Assert.Equal(0, vm.Machine.Wbinvds);
    }

    [Fact]
    public void SnpGmemPageFreedWithItsFlush_StaysIntactForTheNextOwner()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.SetMemoryAttributes(0, 8, isPrivate: true);
        vm.Vcpu.Write(3, 0xBADC0DE, isPrivate: true);

        vm.Gmem!.PunchHole(0, 8 * TestVm.Page);
        var reused = vm.Machine.Memory.Allocate(PageOwner.Kernel);
        vm.Machine.HostWrite(reused, HostData);
        vm.Machine.EvictAllCaches();

        Assert.Equal(HostData, vm.Machine.HostRead(reused));
    }

    [Fact]
    public void EncryptedGuestData_IsCiphertextToTheHost()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        vm.Vcpu.Write(2, 0x5EC12E7, isPrivate: true);
        vm.Machine.EvictAllCaches();

        Assert.NotEqual(0x5EC12E7UL, vm.Mm.Read(vm.HvaOf(2)));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(2, out var value, isPrivate: true));
        Assert.Equal(0x5EC12E7UL, value);
    }

    [Fact]
    public void UnlockWithTheFlushPending_LockdepReportsIt_AndTheVcpuWritesTheZappedPageThroughItsStaleTlb()
    {
        var vm = TestVm.Create(KvmVmType.Default, checkedMode: false);
        vm.Vcpu.Write(1, 10);
        var pfn = vm.Mm.PfnOf(vm.HvaOf(1));

        // KVM0006's bug: zap, then drop mmu_lock before flushing the TLBs.
        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateBegin();
        var range = new KvmGfnRange(vm.Slot, 1, 2) { OnlyShared = true };
        Assert.True(Kvm.MmuUnmapGfnRange(vm.Kvm, ref range));
        vm.Kvm.MmuInvalidateEnd();
        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.UnlockWithFlushPending));
        Assert.Equal(1, vm.Kvm.Stats.StaleTlbEntriesAtUnlock);

        // The guest's write reaches the zapped page with no fault: the host may free it now.
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(1, 11));
        Assert.Equal(1, vm.Kvm.Stats.Faults);
        Assert.Equal(1, vm.Kvm.Stats.StaleTlbAccesses);
        Assert.Equal(11UL, vm.Machine.HostRead(pfn));

        // The host then unmaps and frees the page: its notifier finds no SPTE left to zap, so it
        // flushes nothing, and the same stale entry is now a write into a freed frame.
        vm.Mm.Munmap(vm.HvaOf(1), TestVm.Page);
        Assert.Equal(PageOwner.Free, vm.Machine.Memory.OwnerOf(pfn));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(1, 12));
        Assert.Equal(2, vm.Kvm.Stats.StaleTlbAccesses);
        Assert.Equal(1, vm.Kvm.Stats.GuestAccessesToFreedFrames);
    }

    [Fact]
    public void FlushBeforeTheUnlock_LeavesNoStaleEntry_AndTheNextWriteFaults()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Vcpu.Write(1, 10);

        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuInvalidateBegin();
        var range = new KvmGfnRange(vm.Slot, 1, 2) { OnlyShared = true };
        if (Kvm.MmuUnmapGfnRange(vm.Kvm, ref range))
        {
            vm.Kvm.FlushRemoteTlbs();
        }

        vm.Kvm.MmuInvalidateEnd();
        vm.Kvm.MmuLock.WriteUnlock();

        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(1, 11));
        Assert.Equal(2, vm.Kvm.Stats.Faults);
        Assert.Equal(0, vm.Kvm.Stats.StaleTlbAccesses);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void ZapWindow_OpensWithTheZap_StaysOpenUntilAFlushBegunAfterIt_AndAnEmptyZapOwesNothing()
    {
        var mmuLock = TestVm.Create(KvmVmType.Default).Kvm.MmuLock;
        Assert.False(mmuLock.InZapWindow);

        mmuLock.ZapStarting();
        Assert.True(mmuLock.InZapWindow);
        var flushBegunDuringTheZap = mmuLock.ZapGeneration;
        mmuLock.ZapEnded(zapped: 3);
        Assert.True(mmuLock.InZapWindow);

        // A flush that read the generation before the zap ended does not cover it.
        mmuLock.NoteTlbsFlushed(flushBegunDuringTheZap);
        Assert.True(mmuLock.InZapWindow);
        mmuLock.NoteTlbsFlushed(mmuLock.ZapGeneration);
        Assert.False(mmuLock.InZapWindow);

        mmuLock.ZapStarting();
        mmuLock.ZapEnded(zapped: 0);
        Assert.False(mmuLock.InZapWindow);
    }

    [Fact]
    public void WrongModeAndRecursiveLocking_AreReported_AndTheLockCountsAsReleased()
    {
        var vm = TestVm.Create(KvmVmType.Default, checkedMode: false);

        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuLock.WriteLock();
        vm.Kvm.MmuLock.ReadUnlock();

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.RecursiveLock));
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.WrongModeUnlock));
        Assert.False(vm.Kvm.MmuLock.IsHeld);
        vm.Kvm.MmuLock.WriteUnlock();
        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.UnbalancedUnlock));
    }

    [Fact]
    public void WrongModeUnlock_ThrowsInCheckedMode()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Kvm.MmuLock.ReadLock();

        var violation = Assert.Throws<KvmContractViolationException>(() => vm.Kvm.MmuLock.WriteUnlock());

        Assert.Contains(nameof(ContractViolation.WrongModeUnlock), violation.Message, System.StringComparison.Ordinal);
        Assert.False(vm.Kvm.MmuLock.IsHeld);
    }
}
