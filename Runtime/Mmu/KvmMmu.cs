using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The x86 MMU pieces generic KVM calls (arch/x86/kvm/mmu/mmu.c and tdp_mmu.c): the handlers
    /// the notifier walks pass gfn ranges to, memslot and whole-VM zaps, and the page fault path
    /// with the invalidation retry protocol.
    /// </summary>
    public static class KvmMmu
    {
        /// <summary>
        /// Kernel: kvm_unmap_gfn_range. Zaps the range's shared SPTEs unless it is private-only,
        /// and its private SPTEs unless it is shared-only. Returns true when TLBs must be flushed.
        /// </summary>
        [RequiresMmuLock]
        public static bool UnmapGfnRange(Kvm kvm, ref KvmGfnRange range)
        {
            if (KvmGmem.InInvalidation && !range.OnlyPrivate)
            {
                // guest_memfd holds only private memory: a range that is not private-only either
                // leaves its private SPTEs mapping the pages about to be freed, or zaps shared ones for nothing.
                kvm.Lockdep.Report(ContractViolation.GmemRangeNotPrivateOnly, $"a guest_memfd invalidation passed {range}");
            }

            var zapped = 0L;
            kvm.Machine.Trace?.Instant("kvm_unmap_gfn_range", kvm.Id, "start", (long)range.Start, "end", (long)range.End);
            if (range.TargetsShared)
            {
                zapped += ZapSpteRange(kvm, range, privateSide: false);
            }

            if (range.TargetsPrivate)
            {
                zapped += ZapSpteRange(kvm, range, privateSide: true);
            }

            return zapped > 0;
        }

        /// <summary>
        /// Zaps one side of a gfn range: the primitive a handler uses. Checks that the range's
        /// filter allows that side (a handler that ignores OnlyShared and zaps private SPTEs on
        /// an HVA event is a lockdep violation), that mmu_lock is held for write, and that an
        /// invalidation is open or slots_lock is held, so no fault can reinstall what is zapped.
        /// </summary>
        [RequiresMmuLock]
        public static long ZapSpteRange(Kvm kvm, in KvmGfnRange range, bool privateSide)
        {
            kvm.MmuLock.AssertHeldWrite("kvm_tdp_mmu_unmap_gfn_range");
            if (Interlocked.Read(ref kvm.mmuInvalidateInProgress) == 0 && !Monitor.IsEntered(kvm.SlotsLock) && !Volatile.Read(ref kvm.mmReleased))
            {
                kvm.Lockdep.Report(ContractViolation.ZapOutsideInvalidation, "SPTEs zapped with no invalidation open and slots_lock not held");
            }

            if (privateSide ? !range.TargetsPrivate : !range.TargetsShared)
            {
                kvm.Lockdep.Report(ContractViolation.HandlerIgnoredFilter, $"a handler zapped {(privateSide ? "private" : "shared")} SPTEs of {range}");
            }

            var slot = range.Slot;
            var table = privateSide ? slot?.PrivateSptes : slot?.SharedSptes;
            if (slot is null || table is null || range.End <= range.Start)
            {
                return 0;
            }

            var start = range.Start - slot.BaseGfn;
            var end = range.End - slot.BaseGfn;
            long zapped;
            kvm.MmuLock.ZapStarting();
            zapped = 0;
            try
            {
                if (privateSide)
                {
                    zapped = table.Zap(start, end, kvm.Type == KvmVmType.Tdx ? (_, spte) => KvmArch.RemovePrivateSpte(kvm, Spte.Pfn(spte)) : null);
                    Interlocked.Add(ref kvm.Stats.zappedPrivateSptes, zapped);
                    if (zapped > 0 && (range.OnlyShared || KvmMmuNotifier.InHvaEvent))
                    {
                        Interlocked.Add(ref kvm.Stats.privateSptesZappedByHvaEvents, zapped);
                        if (!range.OnlyShared)
                        {
                            // An HVA never maps private memory: the walk built a range without OnlyShared.
                            kvm.Lockdep.Report(ContractViolation.HvaRangeNotSharedOnly, $"an mmu_notifier event zapped private SPTEs of {range}");
                        }
                    }
                }
                else
                {
                    zapped = table.Zap(start, end, null);
                    Interlocked.Add(ref kvm.Stats.zappedSharedSptes, zapped);
                }

            }
            finally
            {
                // Until kvm_flush_remote_tlbs, other CPUs' TLBs may still map what was zapped.
                kvm.MmuLock.ZapEnded(zapped);
            }

            return zapped;
        }

        /// <summary>Kernel: kvm_age_gfn: clears accessed bits; true if any mapping was young.</summary>
        public static bool AgeGfn(Kvm kvm, ref KvmGfnRange range) => Age(kvm, range, clear: true);

        /// <summary>Kernel: kvm_test_age_gfn: true if any mapping was young; changes nothing.</summary>
        public static bool TestAgeGfn(Kvm kvm, ref KvmGfnRange range) => Age(kvm, range, clear: false);

        /// <summary>Kernel: kvm_arch_flush_shadow_memslot: every mapping of the slot, shared and private.</summary>
        [RequiresMmuLock]
        internal static void FlushShadowMemslot(Kvm kvm, KvmMemorySlot slot)
        {
            // Deleting a memslot removes shared and private mappings alike: no filter.
            var range = new KvmGfnRange(slot, slot.BaseGfn, slot.EndGfn) { OnlyPrivate = false, OnlyShared = false, MayBlock = true };
            if (UnmapGfnRange(kvm, ref range))
            {
                kvm.FlushRemoteTlbs();
            }
        }

        /// <summary>Kernel: kvm_arch_flush_shadow_all → kvm_mmu_zap_all.</summary>
        [RequiresMmuLock]
        internal static void FlushShadowAll(Kvm kvm)
        {
            var flush = false;
            for (var asId = 0; asId < Kvm.AddressSpaceCount; asId++)
            {
                foreach (var slot in kvm.Memslots(asId).Slots)
                {
                    var range = new KvmGfnRange(slot, slot.BaseGfn, slot.EndGfn) { OnlyPrivate = false, OnlyShared = false, MayBlock = true };
                    flush |= UnmapGfnRange(kvm, ref range);
                }
            }

            if (flush)
            {
                kvm.FlushRemoteTlbs();
            }
        }

        /// <summary>
        /// Kernel: kvm_tdp_page_fault → kvm_faultin_pfn / kvm_tdp_mmu_map. Snapshots the
        /// invalidation sequence, resolves the pfn with no lock held (host page via the HVA for
        /// shared memory, guest_memfd for private), then under mmu_lock (read) retries if an
        /// invalidation covers the gfn or finished meanwhile, and only otherwise installs.
        /// Units: gfn is a guest frame number.
        /// </summary>
        public static FaultOutcome PageFault(Kvm kvm, ulong gfn, bool write, bool isPrivate)
        {
            kvm.Machine.Trace?.Instant("kvm_page_fault", kvm.Id, "gfn", (long)gfn, "private", isPrivate ? 1 : 0);
            var usePrivate = isPrivate && kvm.Type.HasGmemPrivateMemory();
            var spin = default(SpinWait);
            while (true)
            {
                var idx = kvm.Srcu.ReadLock();
                try
                {
                    var slot = kvm.Memslots(0).FindByGfn(gfn);
                    if (slot is null)
                    {
                        return FaultOutcome.NoMemslot;
                    }

                    if (slot.IsInvalid)
                    {
                        // The slot is being deleted or moved: back off until it is gone (RET_PF_RETRY).
                        Interlocked.Increment(ref kvm.Stats.faultRetries);
                        spin.SpinOnce();
                        continue;
                    }

                    // Snapshot first (kvm_mmu_faultin_pfn: mmu_seq, smp_rmb), before anything the
                    // fault decides: an invalidation that starts after this point, a conversion of
                    // the gfn's attributes included, bumps the sequence before it ends, so the
                    // check under mmu_lock (is_page_fault_stale) sees it and the fault retries.
                    var mmuSeq = Interlocked.Read(ref kvm.mmuInvalidateSeq);

                    // kvm_mem_is_private(): the access must match the gfn's attributes.
                    if (kvm.Type.HasGmemPrivateMemory() && (kvm.Attributes.IsPrivate(gfn) != isPrivate || (isPrivate && slot.Gmem is null)))
                    {
                        Interlocked.Increment(ref kvm.Stats.memoryFaultExits);
                        return FaultOutcome.MemoryFaultExit;
                    }

                    kvm.AfterFaultCheckedAttributes?.Invoke(gfn);
                    long pfn;
                    var writable = true;
                    if (usePrivate)
                    {
                        pfn = slot.Gmem!.GetPfn(slot, gfn);
                    }
                    else
                    {
                        pfn = kvm.Mm.GetUserPage(slot.GfnToHva(gfn), write, out writable);
                    }

                    if (pfn < 0)
                    {
                        return FaultOutcome.HostFault;
                    }

                    kvm.MmuLock.ReadLock();
                    try
                    {
                        if (kvm.MmuInvalidateRetryGfn(mmuSeq, gfn))
                        {
                            Interlocked.Increment(ref kvm.Stats.faultRetries);
                            spin.SpinOnce();
                            continue;
                        }

                        var table = usePrivate ? slot.PrivateSptes! : slot.SharedSptes;
                        var index = gfn - slot.BaseGfn;
                        var old = table.Get(index);
                        var spte = Spte.Make(pfn, writable);
                        if (old != spte)
                        {
                            table.TryInstall(index, old, spte);
                        }
                    }
                    finally
                    {
                        kvm.MmuLock.ReadUnlock();
                    }

                    Interlocked.Increment(ref kvm.Stats.faults);
                    return FaultOutcome.Installed;
                }
                finally
                {
                    kvm.Srcu.ReadUnlock(idx);
                }
            }
        }

        /// <summary>The SPTE for a gfn on one side, or 0 (what a hardware walk reads).</summary>
        internal static ulong ReadSpte(KvmMemorySlot slot, ulong gfn, bool privateSide)
        {
            var table = privateSide ? slot.PrivateSptes : slot.SharedSptes;
            return table is null ? 0 : table.Get(gfn - slot.BaseGfn);
        }

        /// <summary>Mapped pages and SPTE storage bytes over every memslot (for the storage benchmark).</summary>
        public static (long Mapped, long Bytes) SpteStorage(Kvm kvm)
        {
            long mapped = 0, bytes = 0;
            for (var asId = 0; asId < Kvm.AddressSpaceCount; asId++)
            {
                foreach (var slot in kvm.Memslots(asId).Slots)
                {
                    mapped += slot.SharedSptes.Mapped;
                    bytes += slot.SharedSptes.StorageBytes;
                    if (slot.PrivateSptes is { } privateSptes)
                    {
                        mapped += privateSptes.Mapped;
                        bytes += privateSptes.StorageBytes;
                    }
                }
            }

            return (mapped, bytes);
        }

        private static bool Age(Kvm kvm, in KvmGfnRange range, bool clear)
        {
            Interlocked.Increment(ref kvm.Stats.agingChecks);
            var slot = range.Slot;
            if (slot is null)
            {
                return false;
            }

            var start = range.Start - slot.BaseGfn;
            var end = range.End - slot.BaseGfn;
            var young = false;
            if (range.TargetsShared)
            {
                young |= slot.SharedSptes.Age(start, end, clear);
            }

            if (range.TargetsPrivate && slot.PrivateSptes is { } privateSptes)
            {
                young |= privateSptes.Age(start, end, clear);
            }

            return young;
        }
    }
}
