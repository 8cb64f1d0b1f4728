using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// The mmu_notifier release racing a memslot update (issue 18, defect 3): release holds an SRCU
/// read section, the update holds slots_lock and waits in synchronize_srcu for that reader. The
/// release must not take slots_lock (the kernel's kvm_flush_shadow_all does not). A watchdog
/// fails the test instead of hanging it.
/// </summary>
public sealed class ReleaseDeadlockTests
{
    private static readonly System.TimeSpan Watchdog = System.TimeSpan.FromSeconds(10);

    [Fact]
    public void ReleaseInsideItsSrcuSection_WhileAMemslotUpdateWaitsForIt_BothFinish()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        var second = vm.Mm.Mmap(16 * TestVm.Page);
        vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 16, second));
        vm.Vcpu.Write(3, 1);
        using var inSrcu = new ManualResetEventSlim();
        using var mayGoOn = new ManualResetEventSlim();
        vm.Kvm.AfterReleaseEnteredSrcu = () =>
        {
            inSrcu.Set();
            Assert.True(mayGoOn.Wait(Watchdog));
        };

        var release = Threads.Start(vm.Mm.Release);
        Assert.True(inSrcu.Wait(Watchdog));

        // The update takes slots_lock and then waits in synchronize_srcu for the release's reader.
        var update = Threads.Start(() => vm.Kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 0, second)));
        Thread.Sleep(200);
        mayGoOn.Set();

        Assert.True(Task.WaitAll(new[] { release, update }, Watchdog), "deadlock: the release and the memslot update wait for each other");
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.False(vm.SharedMapped(3));
    }
}
