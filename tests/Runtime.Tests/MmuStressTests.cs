using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// After tools/testing/selftests/kvm/mmu_stress_test.c: vCPU threads write guest memory while
/// host threads unmap, migrate, mprotect, age and drop it. No guest write may reach a freed
/// frame, and when everything stops every SPTE must point at the frame its HVA maps.
/// </summary>
public sealed class MmuStressTests
{
    private const ulong Pages = 512;

    [Theory]
    [InlineData(KvmVmType.Default)]
    [InlineData(KvmVmType.Sev)]
    [InlineData(KvmVmType.Snp)]
    public void VcpusWriting_WhileHostChangesTheAddressSpace_NeverUseAFreedFrame(KvmVmType type)
    {
        var vm = TestVm.Create(type, Pages, cpus: 4);
        var vcpus = Enumerable.Range(0, 3).Select(vm.Kvm.CreateVcpu).ToArray();
        using var stop = new CancellationTokenSource();
        var faultsSeen = new long[vcpus.Length];

        var guests = vcpus.Select((vcpu, id) => Task.Factory.StartNew(() =>
        {
            var gfn = (ulong)id;
            while (!stop.IsCancellationRequested)
            {
                var outcome = vcpu.Write(gfn, gfn);
                if (outcome == FaultOutcome.HostFault)
                {
                    // mprotect made the page read-only or munmap removed it: the guest sees -EFAULT.
                    Interlocked.Increment(ref faultsSeen[id]);
                }

                gfn = (gfn + 7) % Pages;
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        // The host starts once every vCPU is running in guest memory.
        Assert.True(SpinWait.SpinUntil(() => vm.Kvm.Stats.Faults >= vcpus.Length, 30_000), "vCPUs did not start");

        var host = Task.Factory.StartNew(() =>
        {
            var random = new System.Random(42);
            for (var round = 0; round < 300; round++)
            {
                var page = (ulong)random.Next((int)Pages - 4);
                var hva = vm.HvaOf(page);
                switch (round % 5)
                {
                    case 0: vm.Mm.MadviseDontNeed(hva, 4 * TestVm.Page); break;
                    case 1: vm.Mm.MigratePage(hva); break;
                    case 2: vm.Mm.Mprotect(hva, 2 * TestVm.Page, writable: false); vm.Mm.Mprotect(hva, 2 * TestVm.Page, writable: true); break;
                    case 3: vm.Mm.TestAndClearYoung(hva, 16 * TestVm.Page); vm.Mm.SwapOut(hva, 4 * TestVm.Page); break;
                    case 4: vm.Mm.Munmap(hva, TestVm.Page); break;
                }

                Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning);

        Assert.True(host.Wait(60_000), "host thread did not finish");
        stop.Cancel();
        Assert.True(Task.WaitAll(guests, 30_000), "vCPU threads did not stop");

        Assert.Equal(0, vm.Machine.Memory.WritesToFreePages);
        Assert.Equal(0, vm.Kvm.Lockdep.Total);
        Assert.Equal(0, vm.Kvm.MmuInvalidateInProgress);
        Assert.True(vm.Kvm.Stats.Faults > 0);
        AssertSptesMatchHostMappings(vm);
    }

    /// <summary>Every present shared SPTE maps the frame the host maps at that gfn's HVA.</summary>
    internal static void AssertSptesMatchHostMappings(TestVm vm)
    {
        var stale = new List<ulong>();
        for (ulong gfn = 0; gfn < vm.Slot.PageCount; gfn++)
        {
            var spte = KvmMmu.ReadSpte(vm.Slot, gfn, privateSide: false);
            if ((spte & 1) != 0 && (long)(spte >> 12) != vm.Mm.PfnOf(vm.Slot.GfnToHva(gfn)))
            {
                stale.Add(gfn);
            }
        }

        Assert.Empty(stale);
    }
}
