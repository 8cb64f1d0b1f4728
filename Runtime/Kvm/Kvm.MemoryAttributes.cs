using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>Shared ↔ private conversion (virt/kvm/kvm_main.c, KVM_SET_MEMORY_ATTRIBUTES).</summary>
    public sealed partial class Kvm
    {
        /// <summary>
        /// Kernel: kvm_vm_set_mem_attributes. Under slots_lock: the pre-pass opens an
        /// invalidation and zaps the range (shared and private: the generic code targets both),
        /// the attributes change, and the post-pass closes the invalidation, so a fault that
        /// raced with the change retries. No reclaim: no host memory was freed.
        /// Units: Gfns [start, end).
        /// </summary>
        public void SetMemoryAttributes(ulong start, ulong end, bool isPrivate)
        {
            if (!Type.HasGmemPrivateMemory())
            {
                throw new InvalidOperationException($"{Type} VMs have no private memory attributes.");
            }

            if (end <= start)
            {
                throw new ArgumentException("Empty range.", nameof(end));
            }

            var arg = new KvmMmuNotifierArg(isPrivate ? KvmMemoryAttributes.Private : 0);
            var preSet = new KvmGfnRangeWalk(start, end, PreSetMemoryAttributes, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: true, arg);
            var postSet = new KvmGfnRangeWalk(start, end, PostSetMemoryAttributes, onLock: k => k.MmuInvalidateEnd(), flushOnReturn: false, mayBlock: true, arg);
            using (LockOrder.EnterSlotsLock(this))
            {
                try
                {
                    kvm_handle_gfn_range(this, preSet);
                    Attributes.Set(start, end, isPrivate);
                }
                finally
                {
                    // The post-pass closes what the pre-pass opened, even when a violation unwinds it.
                    kvm_handle_gfn_range(this, postSet);
                }
            }
        }

        /// <summary>
        /// Kernel: kvm_handle_gfn_range: for each memslot intersecting the gfn range, a range with
        /// no filter (shared and private); mmu_lock taken on the first slot found.
        /// </summary>
        internal static bool kvm_handle_gfn_range(Kvm kvm, in KvmGfnRangeWalk walk)
        {
            var found = false;
            var ret = false;
            var completed = false;
            try
            {
                var slots = new List<KvmMemorySlot>();
                for (var asId = 0; asId < AddressSpaceCount; asId++)
                {
                    slots.Clear();
                    kvm.Memslots(asId).FindByGfnRange(walk.Start, walk.End, slots);
                    foreach (var slot in slots)
                    {
                        var gfnRange = new KvmGfnRange
                        {
                            Slot = slot,
                            Start = Math.Max(walk.Start, slot.BaseGfn),
                            End = Math.Min(walk.End, slot.EndGfn),
                            Arg = walk.Arg,
                            MayBlock = walk.MayBlock,
                            OnlyPrivate = false,
                            OnlyShared = false,
                        };

                        if (!found)
                        {
                            kvm.MmuLock.WriteLock();
                            found = true;
                            walk.OnLock?.Invoke(kvm);
                        }

                        if (walk.Handler is { } handler)
                        {
                            ret |= handler(kvm, ref gfnRange);
                        }
                    }
                }

                if (walk.FlushOnReturn && ret)
                {
                    kvm.FlushRemoteTlbs();
                }

                completed = true;
            }
            finally
            {
                if (found)
                {
                    kvm.WriteUnlockAfterWalk(completed);
                }
            }

            return ret;
        }

        /// <summary>Kernel: kvm_pre_set_memory_attributes: record the range, then kvm_arch_pre_set_memory_attributes (zap).</summary>
        private static bool PreSetMemoryAttributes(Kvm kvm, ref KvmGfnRange range)
        {
            kvm.MmuInvalidateRangeAdd(range.Start, range.End);
            return KvmMmu.UnmapGfnRange(kvm, ref range);
        }

        /// <summary>Kernel: kvm_arch_post_set_memory_attributes (hugepage bookkeeping on x86; nothing to do here).</summary>
        private static bool PostSetMemoryAttributes(Kvm kvm, ref KvmGfnRange range) => false;
    }
}
