using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// The invalidation retry protocol (virt/kvm/kvm_main.c, include/linux/kvm_host.h): while an
    /// invalidation is open, faults on its gfns retry; when it closes, the sequence moves on and
    /// every fault that started before retries too.
    /// </summary>
    public sealed partial class Kvm
    {
        /// <summary>Kernel: kvm_mmu_invalidate_begin. Opens an invalidation; the range resets on 0 → 1.</summary>
        [RequiresMmuLock]
        public void MmuInvalidateBegin()
        {
            MmuLock.AssertHeldWrite("kvm_mmu_invalidate_begin");
            Machine.Trace?.Instant("kvm_mmu_invalidate_begin", Id);
            Interlocked.Increment(ref Stats.invalidations);
            if (Interlocked.Increment(ref mmuInvalidateInProgress) == 1)
            {
                mmuInvalidateRangeStart = InvalidGfn;
                mmuInvalidateRangeEnd = InvalidGfn;
            }
        }

        /// <summary>Kernel: kvm_mmu_invalidate_range_add. Widens the open invalidation to cover [start, end). Units: Gfns [start, end).</summary>
        [RequiresMmuLock]
        public void MmuInvalidateRangeAdd(ulong start, ulong end)
        {
            MmuLock.AssertHeldWrite("kvm_mmu_invalidate_range_add");
            if (Interlocked.Read(ref mmuInvalidateInProgress) <= 0)
            {
                Lockdep.Report(ContractViolation.InvalidationImbalance, "kvm_mmu_invalidate_range_add outside an invalidation");
            }

            if (mmuInvalidateRangeStart == InvalidGfn)
            {
                mmuInvalidateRangeStart = start;
                mmuInvalidateRangeEnd = end;
            }
            else
            {
                mmuInvalidateRangeStart = System.Math.Min(mmuInvalidateRangeStart, start);
                mmuInvalidateRangeEnd = System.Math.Max(mmuInvalidateRangeEnd, end);
            }
        }

        /// <summary>Kernel: kvm_mmu_invalidate_end. Bumps the sequence, then closes the invalidation.</summary>
        [RequiresMmuLock]
        public void MmuInvalidateEnd()
        {
            MmuLock.AssertHeldWrite("kvm_mmu_invalidate_end");
            Machine.Trace?.Instant("kvm_mmu_invalidate_end", Id);

            // The sequence moves before in_progress drops (smp_wmb in the kernel), so a fault that
            // sees in_progress == 0 also sees the new sequence.
            Interlocked.Increment(ref mmuInvalidateSeq);
            if (Interlocked.Decrement(ref mmuInvalidateInProgress) < 0)
            {
                Interlocked.Increment(ref mmuInvalidateInProgress);
                Lockdep.Report(ContractViolation.InvalidationImbalance, "kvm_mmu_invalidate_end without kvm_mmu_invalidate_begin");
                return;
            }

            // Kernel: WARN_ON_ONCE(kvm->mmu_invalidate_range_start == INVALID_GPA): at least one
            // range must have been added between begin and end. Not fatal, but a KVM bug.
            if (mmuInvalidateRangeStart == InvalidGfn)
            {
                Lockdep.Warn(ContractViolation.InvalidationImbalance, "kvm_mmu_invalidate_end with no range added since kvm_mmu_invalidate_begin");
            }
        }

        /// <summary>Kernel: mmu_invalidate_retry_gfn. Under mmu_lock: must a fault that read <paramref name="mmuSeq"/> start over? Units: mmuSeq is a snapshot of MmuInvalidateSeq; gfn a guest frame number.</summary>
        [RequiresMmuLock]
        public bool MmuInvalidateRetryGfn(long mmuSeq, ulong gfn)
        {
            MmuLock.AssertHeld("mmu_invalidate_retry_gfn");
            if (Interlocked.Read(ref mmuInvalidateInProgress) != 0)
            {
                // An open invalidation with no range yet covers everything (WARN_ON_ONCE in the kernel).
                if (mmuInvalidateRangeStart == InvalidGfn
                    || (gfn >= mmuInvalidateRangeStart && gfn < mmuInvalidateRangeEnd))
                {
                    return true;
                }
            }

            return Interlocked.Read(ref mmuInvalidateSeq) != mmuSeq;
        }

        /// <summary>Kernel: kvm_mmu_unmap_gfn_range: records the range in the open invalidation, then zaps.</summary>
        [RequiresMmuLock]
        [ZapsSptes]
        public static bool MmuUnmapGfnRange(Kvm kvm, ref KvmGfnRange range)
        {
            kvm.MmuInvalidateRangeAdd(range.Start, range.End);
            return KvmMmu.UnmapGfnRange(kvm, ref range);
        }
    }
}
