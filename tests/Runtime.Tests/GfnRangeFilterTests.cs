namespace GfnGuard.Runtime.Tests;

/// <summary>Every path builds its gfn ranges with the right filter, and the handlers honour it.</summary>
public sealed class GfnRangeFilterTests
{
    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void HvaEvent_ZapsSharedMappings_AndLeavesPrivateOnes(KvmVmType type)
    {
        var vm = TestVm.Create(type);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(1, 0xAA));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(9, 0xBB, isPrivate: true));

        // munmap the whole slot's HVA range: private memory has no HVA and must survive.
        vm.Mm.MadviseDontNeed(vm.Hva, 64 * TestVm.Page);

        Assert.False(vm.SharedMapped(1));
        Assert.True(vm.PrivateMapped(9));
        Assert.Equal(0, vm.Kvm.Stats.PrivateSptesZappedByHvaEvents);
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(9, out var value, isPrivate: true));
        Assert.Equal(0xBBUL, value);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void GmemPunchHole_ZapsPrivateMappings_AndLeavesSharedOnes(KvmVmType type)
    {
        var vm = TestVm.Create(type);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(1, 0xAA);
        vm.Vcpu.Write(9, 0xBB, isPrivate: true);
        var allocated = vm.Gmem!.AllocatedPages;

        vm.Gmem.PunchHole(8 * TestVm.Page, 8 * TestVm.Page);

        Assert.True(vm.SharedMapped(1));
        Assert.False(vm.PrivateMapped(9));
        Assert.Equal(allocated - 1, vm.Gmem.AllocatedPages);
        Assert.Equal(0, vm.Kvm.Stats.ZappedSharedSptes);
        Assert.Equal(1, vm.Kvm.Stats.ZappedPrivateSptes);
        Assert.Equal(0, vm.Kvm.Stats.Reclaims);
    }

    [Fact]
    public void AttributeConversion_ZapsBothSides_WithoutReclaim()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(4, 1);
        vm.Vcpu.Write(9, 2, isPrivate: true);
        var zappedShared = vm.Kvm.Stats.ZappedSharedSptes;

        vm.Kvm.SetMemoryAttributes(0, 16, isPrivate: false);

        Assert.False(vm.PrivateMapped(9));
        Assert.False(vm.SharedMapped(4));
        Assert.Equal(zappedShared + 1, vm.Kvm.Stats.ZappedSharedSptes);
        Assert.Equal(0, vm.Kvm.Stats.Reclaims);
        Assert.Equal(2, vm.Kvm.Stats.Invalidations);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
    }

    [Fact]
    public void RangeWithBothFlags_IsRefusedAtRunTime()
    {
        var range = new KvmGfnRange { OnlyPrivate = true };
        var error = Record.Exception(() => range.OnlyShared = true);

        Assert.IsType<KvmContractViolationException>(error);
        Assert.False(range.OnlyShared);
    }

    [Fact]
    public void HandlerThatIgnoresTheSharedOnlyFilter_IsCaughtAndCounted()
    {
        var vm = TestVm.Create(KvmVmType.Snp);
        vm.Kvm.Lockdep.ThrowOnViolation = false;
        vm.Kvm.SetMemoryAttributes(8, 16, isPrivate: true);
        vm.Vcpu.Write(9, 7, isPrivate: true);

        // A port's handler that zaps private SPTEs whatever the range says.
        static bool ZapEverything(Kvm kvm, ref KvmGfnRange range) =>
            KvmMmu.ZapSpteRange(kvm, range, privateSide: true) + KvmMmu.ZapSpteRange(kvm, range, privateSide: false) > 0;

        var hvaRange = new KvmHvaRange(vm.Hva, vm.Hva + (64 * TestVm.Page), ZapEverything, k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: true);
        Kvm.__kvm_handle_hva_range(vm.Kvm, hvaRange);

        Assert.Equal(1, vm.Kvm.Lockdep.Count(ContractViolation.HandlerIgnoredFilter));
        Assert.Equal(1, vm.Kvm.Stats.PrivateSptesZappedByHvaEvents);
        Assert.False(vm.PrivateMapped(9));
    }

    [Fact]
    public void HandlerThatIgnoresTheFilter_ThrowsInCheckedMode()
    {
        var vm = TestVm.Create(KvmVmType.Tdx);
        var hvaRange = new KvmHvaRange(vm.Hva, vm.Hva + TestVm.Page, (Kvm kvm, ref KvmGfnRange range) => KvmMmu.ZapSpteRange(kvm, range, privateSide: true) > 0, k => k.MmuInvalidateBegin(), flushOnReturn: false, mayBlock: true);

        Assert.Throws<KvmContractViolationException>(() => Kvm.__kvm_handle_hva_range(vm.Kvm, hvaRange));
    }
}
