using System.Collections.Generic;
using GfnGuard.Runtime;

namespace CleanPort
{
    /// <summary>
    /// KVM_SET_MEMORY_ATTRIBUTES from virt/kvm/kvm_main.c: a gfn-based walk whose ranges target
    /// both shared and private mappings, with the invalidation held open while the attributes
    /// change. No host memory is freed, so nothing is reclaimed.
    /// </summary>
    public static class MemoryAttributes
    {
        /// <summary>Kernel: kvm_vm_set_mem_attributes.</summary>
        public static void kvm_vm_set_mem_attributes(Kvm kvm, ulong start, ulong end, bool isPrivate)
        {
            var arg = new KvmMmuNotifierArg(isPrivate ? KvmMemoryAttributes.Private : 0);
            var pre_set_range = new KvmGfnRangeWalk(start, end, kvm_pre_set_memory_attributes, onLock: k => k.MmuInvalidateBegin(), flushOnReturn: true, mayBlock: true, arg);
            var post_set_range = new KvmGfnRangeWalk(start, end, kvm_arch_post_set_memory_attributes, onLock: k => k.MmuInvalidateEnd(), flushOnReturn: false, mayBlock: true, arg);

            lock (kvm.SlotsLock)
            {
                kvm_handle_gfn_range(kvm, pre_set_range);
                kvm.Attributes.Set(start, end, isPrivate);
                kvm_handle_gfn_range(kvm, post_set_range);
            }
        }

        /// <summary>
        /// Kernel: kvm_handle_gfn_range. The range comes from userspace as gfns, not HVAs, so it
        /// carries no filter: both flags false.
        /// </summary>
        public static bool kvm_handle_gfn_range(Kvm kvm, in KvmGfnRangeWalk range)
        {
            var found_memslot = false;
            var ret = false;
            var slots = new List<KvmMemorySlot>();
            for (var i = 0; i < Kvm.AddressSpaceCount; i++)
            {
                slots.Clear();
                kvm.Memslots(i).FindByGfnRange(range.Start, range.End, slots);
                foreach (var slot in slots)
                {
                    var gfn_range = new KvmGfnRange
                    {
                        Slot = slot,
                        Start = System.Math.Max(range.Start, slot.BaseGfn),
                        End = System.Math.Min(range.End, slot.EndGfn),
                        Arg = range.Arg,
                        MayBlock = range.MayBlock,
                        OnlyPrivate = false,
                        OnlyShared = false,
                    };

                    if (!found_memslot)
                    {
                        found_memslot = true;
                        kvm.MmuLock.WriteLock();
                        range.OnLock?.Invoke(kvm);
                    }

                    if (range.Handler is { } handler)
                    {
                        ret |= handler(kvm, ref gfn_range);
                    }
                }
            }

            if (range.FlushOnReturn && ret)
            {
                kvm.FlushRemoteTlbs();
            }

            if (found_memslot)
            {
                kvm.MmuLock.WriteUnlock();
            }

            return ret;
        }

        /// <summary>Kernel: kvm_pre_set_memory_attributes: record the range, then zap it (kvm_arch_pre_set_memory_attributes).</summary>
        private static bool kvm_pre_set_memory_attributes(Kvm kvm, ref KvmGfnRange range)
        {
            kvm.MmuInvalidateRangeAdd(range.Start, range.End);
            return KvmMmu.UnmapGfnRange(kvm, ref range);
        }

        /// <summary>Kernel: kvm_arch_post_set_memory_attributes (hugepage bookkeeping on x86; nothing to model).</summary>
        private static bool kvm_arch_post_set_memory_attributes(Kvm kvm, ref KvmGfnRange range) => false;
    }
}
