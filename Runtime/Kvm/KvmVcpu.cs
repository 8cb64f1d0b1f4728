using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// A vCPU on a physical CPU. Its guest accesses go through the CPU's TLB, then the SPTEs
    /// (a hardware walk that sets accessed/dirty bits), then a page fault. Private accesses
    /// of encrypted VMs are cached with the VM's key, so caches matter when frames change owner.
    /// Kernel: <c>struct kvm_vcpu</c>; the access itself is what the guest does in hardware.
    /// </summary>
    public sealed class KvmVcpu
    {
        internal KvmVcpu(Kvm kvm, Cpu cpu)
        {
            Kvm = kvm;
            Cpu = cpu;
        }

        public Kvm Kvm { get; }

        public Cpu Cpu { get; }

        /// <summary>Guest write of one word to page <paramref name="gfn"/>. Units: gfn is a guest frame number; value one 64-bit word; <paramref name="isPrivate"/> selects the private (guest_memfd) side on VM types that have one.</summary>
        public FaultOutcome Write(ulong gfn, ulong value, bool isPrivate = false) => Access(gfn, isPrivate, write: true, value, out _);

        /// <summary>Guest read of one word from page <paramref name="gfn"/>. Units: gfn is a guest frame number; value one 64-bit word.</summary>
        public FaultOutcome Read(ulong gfn, out ulong value, bool isPrivate = false) => Access(gfn, isPrivate, write: false, 0, out value);

        private FaultOutcome Access(ulong gfn, bool isPrivate, bool write, ulong value, out ulong read)
        {
            var kvm = Kvm;
            var privateSide = isPrivate && kvm.Type.HasGmemPrivateMemory();

            // Encrypted VMs use their key for private accesses (SEV's C-bit, TDX's KeyID bits).
            var keyId = isPrivate && kvm.Type.IsEncrypted() ? kvm.KeyId : (ushort)0;
            for (var attempt = 0; ; attempt++)
            {
                lock (Cpu.Lock)
                {
                    if (TryTranslate(gfn, privateSide, write, out var pfn))
                    {
                        read = MemoryAccess(pfn, keyId, write, value);
                        return FaultOutcome.Installed;
                    }
                }

                var outcome = KvmMmu.PageFault(kvm, gfn, write, isPrivate);
                if (outcome != FaultOutcome.Installed)
                {
                    read = 0;
                    return outcome;
                }

                if (attempt > 1000)
                {
                    Thread.Yield();
                }
            }
        }

        /// <summary>TLB, then a walk of the SPTEs (filling the TLB). Caller holds the CPU lock.</summary>
        private bool TryTranslate(ulong gfn, bool privateSide, bool write, out long pfn)
        {
            var kvm = Kvm;
            if (Cpu.Tlb.TryLookup(kvm.Id, gfn, privateSide, out pfn, out var writable) && (!write || writable))
            {
                if (IsStale(gfn, privateSide, pfn) && !kvm.MmuLock.InZapWindow)
                {
                    // Hardware uses the TLB without looking at the SPTEs: a zap not yet flushed is still
                    // reachable. Checked after the SPTE read: a zap that starts meanwhile is in its window.
                    Interlocked.Increment(ref kvm.Stats.staleTlbAccesses);
                }

                return true;
            }

            var slot = kvm.Memslots(0).FindByGfn(gfn);
            if (slot is null)
            {
                return false;
            }

            var spte = KvmMmu.ReadSpte(slot, gfn, privateSide);
            if (!Spte.IsPresent(spte) || (write && !Spte.IsWritable(spte)))
            {
                return false;
            }

            var table = privateSide ? slot.PrivateSptes! : slot.SharedSptes;
            table.SetBits(gfn - slot.BaseGfn, write ? Spte.Accessed | Spte.Dirty : Spte.Accessed);
            pfn = Spte.Pfn(spte);
            Cpu.Tlb.Fill(kvm.Id, gfn, privateSide, pfn, Spte.IsWritable(spte));
            return true;
        }

        /// <summary>Does a TLB entry for <paramref name="gfn"/> map something its SPTE no longer does?</summary>
        internal bool IsStale(ulong gfn, bool privateSide, long pfn) => IsStale(Kvm, gfn, privateSide, pfn);

        internal static bool IsStale(Kvm kvm, ulong gfn, bool privateSide, long pfn)
        {
            var slot = kvm.Memslots(0).FindByGfn(gfn);
            if (slot is null)
            {
                return true;
            }

            var spte = KvmMmu.ReadSpte(slot, gfn, privateSide);
            return !Spte.IsPresent(spte) || Spte.Pfn(spte) != pfn;
        }

        /// <summary>The memory access itself. Caller holds the CPU lock.</summary>
        private ulong MemoryAccess(long pfn, ushort keyId, bool write, ulong value)
        {
            var memory = Kvm.Machine.Memory;
            if (Cpu.LastRanVm != Kvm.Id)
            {
                Cpu.RanVms.Add(Kvm.Id);
                Cpu.LastRanVm = Kvm.Id;
            }
            if (memory.OwnerOf(pfn) == PageOwner.Free)
            {
                // Only a stale SPTE or TLB entry leads here: a use-after-free of host memory.
                Interlocked.Increment(ref Kvm.Stats.guestAccessesToFreedFrames);
            }

            if (keyId == 0)
            {
                // Unencrypted accesses are coherent: model them as write-through.
                if (write)
                {
                    memory.Write(pfn, value, 0);
                    return value;
                }

                return memory.Read(pfn, 0);
            }

            if (write)
            {
                Cpu.Cache.Write(pfn, keyId, value, memory);
                return value;
            }

            return Cpu.Cache.TryRead(pfn, keyId, memory, out var cached) ? cached : memory.Read(pfn, keyId);
        }
    }
}
