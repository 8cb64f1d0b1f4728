using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace GfnGuard.Runtime.Tests;

/// <summary>
/// The whole model under the kernel's own concurrency (issue 18): vCPUs faulting on both sides
/// while the host swaps, migrates, merges with KSM, drops with MADV_DONTNEED and unmaps, the VMM
/// converts, punches holes and creates, moves and deletes a memslot, then the mm goes away. Each
/// run is bounded in time and iterations and a watchdog fails it instead of letting it hang; the
/// invariants are checked at the end. GFNGUARD_STRESS_SECONDS makes a longer run (docs/runtime.md).
/// </summary>
public sealed class WholeModelStressTests
{
    private const ulong Pages = 64;
    private const ulong StableShared = 16;   // gfns [0, 16): shared, only non-destructive host operations
    private const ulong StablePrivate = 32;  // gfns [16, 32): private (guest_memfd types), never converted or punched
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    private static TimeSpan RunTime => TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("GFNGUARD_STRESS_SECONDS"), out var seconds) ? seconds : 1.5);

    [Theory]
    [InlineData(KvmVmType.Default)]
    [InlineData(KvmVmType.SwProtected)]
    [InlineData(KvmVmType.Sev)]
    [InlineData(KvmVmType.SevEs)]
    [InlineData(KvmVmType.Snp)]
    [InlineData(KvmVmType.Tdx)]
    public void EverythingAtOnce_KeepsEveryInvariant(KvmVmType type)
    {
        var vm = TestVm.Create(type, pages: Pages, cpus: 4);
        var kvm = vm.Kvm;
        var gmem = vm.Gmem;
        if (gmem is not null)
        {
            kvm.SetMemoryAttributes(StableShared, StablePrivate, isPrivate: true);
        }

        var stop = new CancellationTokenSource(RunTime);
        var shared = new ulong[StableShared];
        var privateValues = new ulong[StablePrivate - StableShared];
        var workers = new List<Task>
        {
            // The guest's stable shared pages: one writer, so the last value written is known.
            Threads.Start(() =>
            {
                var vcpu = kvm.CreateVcpu(0);
                for (ulong n = 1; n < 200_000 && !stop.IsCancellationRequested; n++)
                {
                    var gfn = n % StableShared;
                    var value = (n / 2) | 1; // pairs of equal values, so KSM finds pages to merge
                    Assert.Equal(FaultOutcome.Installed, vcpu.Write(gfn, value));
                    shared[gfn] = value;
                }
            }),

            // The guest's stable private pages.
            Threads.Start(() =>
            {
                if (gmem is null)
                {
                    return;
                }

                var vcpu = kvm.CreateVcpu(1);
                for (ulong n = 1; n < 200_000 && !stop.IsCancellationRequested; n++)
                {
                    var gfn = StableShared + (n % (StablePrivate - StableShared));
                    Assert.Equal(FaultOutcome.Installed, vcpu.Write(gfn, n, isPrivate: true));
                    privateValues[gfn - StableShared] = n;
                }
            }),

            // The guest on the volatile pages and the extra memslot: any outcome is legal there.
            Threads.Start(() =>
            {
                var vcpu = kvm.CreateVcpu(2);
                for (ulong n = 0; n < 200_000 && !stop.IsCancellationRequested; n++)
                {
                    var gfn = n % 3 == 0 ? 1000 + (n % 8) : StablePrivate + (n % (Pages - StablePrivate));
                    vcpu.Write(gfn, n, isPrivate: n % 2 == 0);
                    vcpu.Read(gfn, out _, isPrivate: n % 2 == 1);
                }
            }),

            // The host: swap, migration, KSM and aging on the stable pages; MADV_DONTNEED on the volatile ones.
            Threads.Start(() =>
            {
                for (var n = 0; n < 20_000 && !stop.IsCancellationRequested; n++)
                {
                    var gfn = (ulong)n % StableShared;
                    switch (n % 5)
                    {
                        case 0:
                            vm.Mm.SwapOut(vm.HvaOf(gfn), TestVm.Page);
                            break;
                        case 1:
                            vm.Mm.MigratePage(vm.HvaOf(gfn));
                            break;
                        case 2:
                            vm.Mm.KsmMerge(vm.HvaOf(gfn & ~1UL), vm.HvaOf(gfn | 1));
                            break;
                        case 3:
                            vm.Mm.TestAndClearYoung(vm.Hva, StableShared * TestVm.Page);
                            break;
                        default:
                            vm.Mm.MadviseDontNeed(vm.HvaOf(StablePrivate + ((ulong)n % (Pages - StablePrivate))), TestVm.Page);
                            break;
                    }
                }
            }),

            // The VMM: conversions and punch-holes on the volatile pages; an extra memslot created,
            // moved, unmapped under the guest and deleted.
            Threads.Start(() =>
            {
                for (var n = 0; n < 5_000 && !stop.IsCancellationRequested; n++)
                {
                    if (gmem is not null)
                    {
                        kvm.SetMemoryAttributes(StablePrivate, Pages, isPrivate: n % 2 == 0);
                        gmem.PunchHole(StablePrivate * TestVm.Page, 8 * TestVm.Page);
                    }

                    var hva = vm.Mm.Mmap(8 * TestVm.Page);
                    kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 8, hva));
                    kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1004, 8, hva));
                    vm.Mm.Munmap(hva, 4 * TestVm.Page);
                    kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(1, 1000, 0, hva));
                }
            }),
        };

        Assert.True(Task.WaitAll(workers.ToArray(), Watchdog), "watchdog: deadlock or livelock in the stress run");

        // No invalidation is left open, no lock is held, no contract was broken.
        Assert.Equal(0, kvm.MmuInvalidateInProgress);
        Assert.True(Threads.Start(() => { kvm.MmuLock.WriteLock(); kvm.MmuLock.WriteUnlock(); }).Wait(TimeSpan.FromSeconds(10)), "mmu_lock is still held");
        Assert.Equal(0, kvm.Srcu.ActiveReaders);
        Assert.Equal(0, kvm.Lockdep.Total);

        // No stale SPTE: each present shared SPTE maps the host page its HVA maps now, each private
        // one the file's page; and no private page is reachable through a shared mapping.
        foreach (var slot in kvm.Memslots(0).Slots)
        {
            for (var gfn = slot.BaseGfn; gfn < slot.EndGfn; gfn++)
            {
                var sharedSpte = KvmMmu.ReadSpte(slot, gfn, privateSide: false);
                if (Spte.IsPresent(sharedSpte))
                {
                    Assert.Equal(vm.Mm.PfnOf(slot.GfnToHva(gfn)), Spte.Pfn(sharedSpte));
                    Assert.NotEqual(PageOwner.GuestMemfd, vm.Machine.Memory.OwnerOf(Spte.Pfn(sharedSpte)));
                }

                var privateSpte = KvmMmu.ReadSpte(slot, gfn, privateSide: true);
                if (Spte.IsPresent(privateSpte) && slot.Gmem is { } file)
                {
                    Assert.Equal(file.PfnAt(slot.GmemOffset + gfn - slot.BaseGfn), Spte.Pfn(privateSpte));
                }
            }
        }

        // No lost guest write.
        var check = kvm.CreateVcpu(3);
        for (ulong gfn = 0; gfn < StableShared; gfn++)
        {
            Assert.Equal(FaultOutcome.Installed, check.Read(gfn, out var value));
            Assert.Equal(shared[gfn], value);
        }

        for (var gfn = StableShared; gmem is not null && gfn < StablePrivate; gfn++)
        {
            Assert.Equal(FaultOutcome.Installed, check.Read(gfn, out var value, isPrivate: true));
            Assert.Equal(privateValues[gfn - StableShared], value);
        }

        // No TLB entry was used after its SPTE was zapped and the flush done, and nothing ever
        // reached a freed frame.
        Assert.Equal(0, kvm.Stats.StaleTlbAccesses);
        Assert.Equal(0, kvm.Stats.GuestAccessesToFreedFrames);
        Assert.Equal(0, vm.Machine.Memory.WritesToFreePages);

        // Last, the mm goes away: every shared mapping is gone and nothing is left open.
        vm.Mm.Release();
        Assert.All(kvm.Memslots(0).Slots, slot => Assert.False(Enumerable.Range(0, (int)slot.PageCount).Any(i => Spte.IsPresent(KvmMmu.ReadSpte(slot, slot.BaseGfn + (ulong)i, privateSide: false)))));
        Assert.Equal(0, kvm.MmuInvalidateInProgress);
        Assert.Equal(0, kvm.Lockdep.Total);
    }
}
