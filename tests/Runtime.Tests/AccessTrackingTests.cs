namespace GfnGuard.Runtime.Tests;

/// <summary>After access_tracking_perf_test.c: aging through the notifier, and swap-out that spares young pages.</summary>
public sealed class AccessTrackingTests
{
    [Fact]
    public void ClearYoung_ReportsAccessedPagesOnce()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 32);
        for (ulong gfn = 0; gfn < 8; gfn++)
        {
            vm.Vcpu.Write(gfn, gfn);
        }

        Assert.True(vm.Mm.TestYoung(vm.Hva, 8 * TestVm.Page));
        Assert.True(vm.Mm.TestAndClearYoung(vm.Hva, 8 * TestVm.Page));
        Assert.False(vm.Mm.TestYoung(vm.Hva, 8 * TestVm.Page));
        Assert.False(vm.Mm.TestYoung(vm.HvaOf(16), 8 * TestVm.Page));
        Assert.Equal(0, vm.Kvm.Stats.ZappedSharedSptes);
    }

    [Fact]
    public void SwapOut_SparesYoungPages_AndSwappedPagesComeBackIntact()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 32);
        for (ulong gfn = 0; gfn < 8; gfn++)
        {
            vm.Vcpu.Write(gfn, 100 + gfn);
        }

        // First pass: every page is young, its bit is cleared (a second chance).
        Assert.Equal(0, vm.Mm.SwapOut(vm.Hva, 8 * TestVm.Page));

        // The guest touches pages 0..3 again; the next pass swaps 4..7 out.
        vm.Kvm.FlushRemoteTlbs();
        for (ulong gfn = 0; gfn < 4; gfn++)
        {
            vm.Vcpu.Read(gfn, out _);
        }

        Assert.Equal(4, vm.Mm.SwapOut(vm.Hva, 8 * TestVm.Page));
        Assert.Equal(4, vm.Kvm.Stats.ZappedSharedSptes);

        for (ulong gfn = 0; gfn < 8; gfn++)
        {
            Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(gfn, out var value));
            Assert.Equal(100 + gfn, value);
        }
    }

    [Fact]
    public void KsmMerge_RemapsAndWriteBreaksCopyOnWrite()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 8);
        vm.Vcpu.Write(1, 77);
        vm.Vcpu.Write(2, 77);

        Assert.True(vm.Mm.KsmMerge(vm.HvaOf(1), vm.HvaOf(2)));
        Assert.Equal(vm.Mm.PfnOf(vm.HvaOf(1)), vm.Mm.PfnOf(vm.HvaOf(2)));

        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(2, 78));
        Assert.NotEqual(vm.Mm.PfnOf(vm.HvaOf(1)), vm.Mm.PfnOf(vm.HvaOf(2)));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(1, out var one));
        Assert.Equal(77UL, one);
        Assert.Equal(0, vm.Machine.Memory.WritesToFreePages);
    }

    /// <summary>
    /// A guest write to the page KSM kept must not show up in the page it merged (issue 18,
    /// defect 4): the kept page is write-protected under an invalidation before the merge, so its
    /// writable SPTE is gone and the write breaks copy-on-write.
    /// </summary>
    [Fact]
    public void KsmMerge_WriteToTheKeptPage_DoesNotReachTheMergedOne()
    {
        var vm = TestVm.Create(KvmVmType.Default, pages: 8);
        vm.Vcpu.Write(1, 77);
        vm.Vcpu.Write(2, 77);

        Assert.True(vm.Mm.KsmMerge(vm.HvaOf(1), vm.HvaOf(2)));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(1, 99));

        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(2, out var two));
        Assert.Equal(77UL, two);
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(1, out var one));
        Assert.Equal(99UL, one);
    }
}
