using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// A shared fault preempted after its attribute check must not survive a whole conversion of
/// the gfn to private and install a shared SPTE for it (issue 18, defect 1). The kernel takes
/// the invalidation snapshot first, so the conversion's end bumps it and the fault retries.
/// </summary>
public sealed class FaultConversionRaceTests
{
    private static readonly System.TimeSpan Watchdog = System.TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void SharedFault_PreemptedAcrossAConversionToPrivate_RetriesInsteadOfInstalling(KvmVmType type)
    {
        var vm = TestVm.Create(type);
        var vcpu = vm.Vcpu;
        using var checkedAttributes = new ManualResetEventSlim();
        using var mayResolve = new ManualResetEventSlim();
        vm.Kvm.AfterFaultCheckedAttributes = gfn =>
        {
            if (gfn == 5 && !checkedAttributes.IsSet)
            {
                checkedAttributes.Set();
                Assert.True(mayResolve.Wait(Watchdog));
            }
        };

        var fault = Threads.Start(() => vcpu.Write(5, 0xAA));
        Assert.True(checkedAttributes.Wait(Watchdog));

        // The whole conversion runs while the fault is preempted: pre-pass, attributes, post-pass.
        vm.Kvm.SetMemoryAttributes(4, 8, isPrivate: true);
        mayResolve.Set();

        Assert.True(fault.Wait(Watchdog));
        Assert.Equal(FaultOutcome.MemoryFaultExit, fault.Result);
        Assert.False(vm.SharedMapped(5));
        Assert.True(vm.Kvm.Stats.FaultRetries > 0);
    }

    [Fact]
    public void FaultsOnBothSides_WhileAnotherThreadConvertsBackAndForth_NeverMapTheWrongSide()
    {
        var vm = TestVm.Create(KvmVmType.Snp, pages: 32, cpus: 4);
        var stop = new CancellationTokenSource(System.TimeSpan.FromSeconds(2));
        var vcpus = new[] { vm.Kvm.CreateVcpu(1), vm.Kvm.CreateVcpu(2) };
        var faulters = new Task[vcpus.Length];
        for (var i = 0; i < vcpus.Length; i++)
        {
            var vcpu = vcpus[i];
            var isPrivate = i == 1;
            faulters[i] = Threads.Start(() =>
            {
                for (var n = 0; n < 200_000 && !stop.IsCancellationRequested; n++)
                {
                    vcpu.Write((ulong)(n % 8), (ulong)n, isPrivate);
                }
            });
        }

        var converter = Threads.Start(() =>
        {
            for (var n = 0; n < 2_000 && !stop.IsCancellationRequested; n++)
            {
                vm.Kvm.SetMemoryAttributes(0, 8, isPrivate: n % 2 == 0);
            }
        });

        Assert.True(Task.WaitAll(faulters.Append(converter).ToArray(), System.TimeSpan.FromSeconds(30)), "watchdog: the stress run did not finish");

        // Quiescent: every mapped gfn is mapped only on the side its attributes say.
        for (ulong gfn = 0; gfn < 8; gfn++)
        {
            var isPrivate = vm.Kvm.Attributes.IsPrivate(gfn);
            Assert.False(isPrivate ? vm.SharedMapped(gfn) : vm.PrivateMapped(gfn), $"gfn {gfn} is mapped on the wrong side");
        }

        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
    }
}
