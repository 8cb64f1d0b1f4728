using System.Linq;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>After private_mem_conversions_test.c: data survives shared ↔ private conversions, and mismatched accesses exit.</summary>
public sealed class PrivateMemConversionsTests
{
    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void Conversions_KeepDataAndRouteAccesses(KvmVmType type)
    {
        var vm = TestVm.Create(type, pages: 32);

        // Shared: the guest writes, the host reads through the HVA.
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(4, 0x5A5A));
        Assert.Equal(0x5A5AUL, vm.Mm.Read(vm.HvaOf(4)));

        // To private: a shared access now exits to userspace; private accesses work.
        vm.Kvm.SetMemoryAttributes(0, 16, isPrivate: true);
        Assert.Equal(FaultOutcome.MemoryFaultExit, vm.Vcpu.Write(4, 1));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Write(4, 0xA5A5, isPrivate: true));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(4, out var privateValue, isPrivate: true));
        Assert.Equal(0xA5A5UL, privateValue);

        // Back to shared: the host's data is what the guest sees; the private copy is unreachable.
        vm.Kvm.SetMemoryAttributes(0, 16, isPrivate: false);
        vm.Mm.Write(vm.HvaOf(4), 0x1111);
        Assert.Equal(FaultOutcome.MemoryFaultExit, vm.Vcpu.Read(4, out _, isPrivate: true));
        Assert.Equal(FaultOutcome.Installed, vm.Vcpu.Read(4, out var sharedValue));
        Assert.Equal(0x1111UL, sharedValue);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
    }

    [Fact]
    public void ConcurrentConversions_AndVcpus_KeepEveryPagesData()
    {
        var vm = TestVm.Create(KvmVmType.SwProtected, pages: 64);
        var vcpus = Enumerable.Range(0, 4).Select(vm.Kvm.CreateVcpu).ToArray();

        // Each vCPU owns 16 gfns: it converts them, writes a pattern on the current side, reads it back.
        var failures = vcpus.Select((vcpu, id) => Task.Factory.StartNew(() =>
        {
            var bad = 0;
            for (var round = 0; round < 50; round++)
            {
                var isPrivate = round % 2 == 0;
                var first = (ulong)id * 16;
                vm.Kvm.SetMemoryAttributes(first, first + 16, isPrivate);
                for (var gfn = first; gfn < first + 16; gfn++)
                {
                    var pattern = ((ulong)round << 32) | gfn;
                    if (vcpu.Write(gfn, pattern, isPrivate) != FaultOutcome.Installed
                        || vcpu.Read(gfn, out var value, isPrivate) != FaultOutcome.Installed
                        || value != pattern)
                    {
                        bad++;
                    }
                }
            }

            return bad;
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.True(Task.WaitAll(failures, 60_000));
        Assert.All(failures, f => Assert.Equal(0, f.Result));
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
    }
}
