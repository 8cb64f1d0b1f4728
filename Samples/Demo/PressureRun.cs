using System.Collections.Generic;
using GfnGuard.Runtime;

namespace Demo
{
    /// <summary>
    /// One VM under host memory pressure. The guest has a shared half and a private half and
    /// works on a window of each that moves every round; between rounds kswapd scans the
    /// whole guest mapping, ages what the guest touched (clear_flush_young) and swaps out what
    /// it did not (invalidate_range_start/end). The VMM preallocated guest memory, so on SNP
    /// the shared alias of the private half is resident, cold, and swapped out too: an HVA
    /// event over private gfns, exactly where a port without OnlyShared zaps private SPTEs.
    /// </summary>
    internal static class PressureRun
    {
        internal const ulong Pages = 512;
        internal const ulong Window = 64;
        internal const int Rounds = 4;
        private const ulong Page = KvmMemorySlot.PageSize;

        /// <summary>Where every run records its trace events (--trace), or null.</summary>
        internal static TraceRecorder? Trace { get; set; }

        internal static RunResult Run(KvmVmType type, string portName, KvmMmuNotifierOps ops, KvmGmemOps gmemOps)
        {
            var machine = new Machine(cpuCount: 4) { Trace = Trace };
            var mm = new HostAddressSpace(machine);
            var hva = mm.Mmap(Pages * Page, populate: true);

            // Counting mode: a violation is recorded, not thrown, so the run shows its cost.
            var kvm = new Kvm(machine, type, mm, checkedMode: false, notifierOps: ops);
            if (type.HasGmemPrivateMemory())
            {
                var file = kvm.CreateGuestMemfd(Pages * Page, gmemOps);
                kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, Pages, hva, MemslotFlags.GuestMemfd, file));
                kvm.SetMemoryAttributes(Pages / 2, Pages, isPrivate: true);
            }
            else
            {
                kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(0, 0, Pages, hva));
            }

            var sharedVcpu = kvm.CreateVcpu(0);
            var privateVcpu = kvm.CreateVcpu(1);
            var written = new Dictionary<ulong, ulong>();
            var mmuLockAtStart = kvm.MmuLock.HeldFlushMilliseconds;

            for (var round = 0; round < Rounds; round++)
            {
                var first = (ulong)round * Window;
                for (var i = first; i < first + Window; i++)
                {
                    var sharedGfn = i;
                    var privateGfn = (Pages / 2) + i;
                    sharedVcpu.Write(sharedGfn, Value(round, sharedGfn));
                    privateVcpu.Write(privateGfn, Value(round, privateGfn), isPrivate: true);
                    written[sharedGfn] = Value(round, sharedGfn);
                    written[privateGfn] = Value(round, privateGfn);
                }

                mm.SwapOut(hva, Pages * Page);
            }

            // Last, the guest reads back every page it wrote: the contracts are about cost and
            // isolation, and neither port may lose data.
            var lostWrites = 0;
            foreach (var pair in written)
            {
                var isPrivate = pair.Key >= Pages / 2;
                var vcpu = isPrivate ? privateVcpu : sharedVcpu;
                if (vcpu.Read(pair.Key, out var value, isPrivate) != FaultOutcome.Installed || value != pair.Value)
                {
                    lostWrites++;
                }
            }

            // The pressure phase's costs, before the punch-hole phase adds its own faults and zaps.
            var result = new RunResult(
                type,
                portName,
                kvm.Stats.Faults,
                kvm.Stats.ZappedSharedSptes,
                kvm.Stats.ZappedPrivateSptes,
                kvm.Stats.PrivateSptesZappedByHvaEvents,
                machine.TlbFlushes,
                machine.Wbinvds,
                machine.FlushCycles,
                kvm.MmuLock.HeldFlushMilliseconds - mmuLockAtStart,
                PrivateSptesLeftOnFreedPages: 0,
                GuestAccessesToFreedFrames: 0,
                kvm.Stats.StaleTlbEntriesAtUnlock,
                kvm.Lockdep.Count(ContractViolation.ReturnedHoldingMmuLock),
                kvm.Lockdep.Count(ContractViolation.ReclaimUnderMmuLock),
                kvm.Lockdep.Count(ContractViolation.HvaRangeNotSharedOnly),
                GmemRangesNotPrivateOnly: 0,
                LockdepViolations: 0,
                lostWrites);

            // Then the guest gives the first window of its private half back (a balloon or
            // discard: the VMM punches a hole in guest_memfd) and later touches it again. The
            // write must fault in a fresh page; through a private SPTE left behind it lands in
            // the frame guest_memfd just freed.
            var gmem = kvm.GfnToMemslot(Pages / 2)?.Gmem;
            if (gmem is not null)
            {
                gmem.PunchHole((Pages / 2) * Page, Window * Page);
                for (var gfn = Pages / 2; gfn < (Pages / 2) + Window; gfn++)
                {
                    privateVcpu.Write(gfn, 0, isPrivate: true);
                }
            }

            return result with
            {
                PrivateSptesLeftOnFreedPages = kvm.Stats.PrivateSptesLeftOnFreedPages,
                GuestAccessesToFreedFrames = kvm.Stats.GuestAccessesToFreedFrames,
                GmemRangesNotPrivateOnly = kvm.Lockdep.Count(ContractViolation.GmemRangeNotPrivateOnly),
                LockdepViolations = kvm.Lockdep.Total,
            };
        }

        private static ulong Value(int round, ulong gfn) => ((ulong)(round + 1) << 32) | gfn;
    }
}
