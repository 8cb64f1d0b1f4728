using System;
using System.Collections.Generic;
using System.Threading;
using GfnGuard.Runtime;

namespace CleanPort
{
    /// <summary>
    /// kvm_zap_gfn_range from arch/x86/kvm/mmu/mmu.c over the TDP MMU's kvm_tdp_mmu_zap_leafs,
    /// with the yield written out the way a port writes cond_resched_rwlock_write (flush what is
    /// owed, drop mmu_lock, let others run, take it again), and mmu_lock held by a guard object,
    /// as cleanup.h's guard(write_lock)(&amp;kvm->mmu_lock) holds it.
    /// </summary>
    public static class ZapGfnRange
    {
        /// <summary>Kernel: guard(write_lock)(&amp;kvm->mmu_lock): takes the lock, drops it at the end of its scope.</summary>
        public sealed class MmuWriteGuard : IDisposable
        {
            private readonly Kvm _kvm;

            public MmuWriteGuard(Kvm kvm)
            {
                _kvm = kvm;
                kvm.MmuLock.WriteLock();
            }

            public void Dispose() => _kvm.MmuLock.WriteUnlock();
        }

        /// <summary>
        /// Kernel: tdp_mmu_iter_cond_resched. Runs under its caller's mmu_lock, held for write:
        /// a flush the caller owes is done before the lock drops, or other vCPUs would run on
        /// TLB entries for what was zapped while the lock is free.
        /// </summary>
        private static bool tdp_mmu_iter_cond_resched(Kvm kvm, bool flush, bool need_resched)
        {
            if (!need_resched)
            {
                return false;
            }

            if (flush)
            {
                kvm.FlushRemoteTlbs();
            }

            kvm.MmuLock.WriteUnlock();
            Thread.Yield();
            kvm.MmuLock.WriteLock();
            return true;
        }

        /// <summary>Kernel: kvm_tdp_mmu_zap_leafs, a memslot at a time, yielding before every <paramref name="yieldEvery"/>-th.</summary>
        private static bool kvm_tdp_mmu_zap_leafs(Kvm kvm, ulong start, ulong end, bool flush, int yieldEvery)
        {
            var slots = new List<KvmMemorySlot>();
            kvm.Memslots(0).FindByGfnRange(start, end, slots);
            var visited = 0;
            foreach (var slot in slots)
            {
                if (tdp_mmu_iter_cond_resched(kvm, flush, ++visited % yieldEvery == 0))
                {
                    flush = false;
                }

                var range = KvmGfnRange.WithFilter(slot, Math.Max(start, slot.BaseGfn), Math.Min(end, slot.EndGfn), KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private);
                flush |= KvmMmu.UnmapGfnRange(kvm, ref range);
            }

            return flush;
        }

        /// <summary>Kernel: kvm_zap_gfn_range. Zaps both sides of [start, end) under an open invalidation.</summary>
        public static void kvm_zap_gfn_range(Kvm kvm, ulong gfn_start, ulong gfn_end, int yieldEvery = 1)
        {
            if (gfn_end <= gfn_start)
            {
                return;
            }

            using (new MmuWriteGuard(kvm))
            {
                kvm.MmuInvalidateBegin();
                kvm.MmuInvalidateRangeAdd(gfn_start, gfn_end);

                var flush = kvm_tdp_mmu_zap_leafs(kvm, gfn_start, gfn_end, false, yieldEvery);
                if (flush)
                {
                    kvm.FlushRemoteTlbs();
                }

                kvm.MmuInvalidateEnd();
            }
        }
    }
}
