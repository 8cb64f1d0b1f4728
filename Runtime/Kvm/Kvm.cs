using System;
using System.Collections.Generic;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// A virtual machine. Kernel: <c>struct kvm</c> (include/linux/kvm_host.h); its operations
    /// are split over partial files named after the parts of virt/kvm/kvm_main.c they mirror.
    /// </summary>
    public sealed partial class Kvm
    {
        /// <summary>x86 has two address spaces: normal and SMM (kernel: KVM_MAX_NR_ADDRESS_SPACES).</summary>
        public const int AddressSpaceCount = 2;

        /// <summary>The most memslots per address space (kernel: KVM_MEM_SLOTS_NUM on x86).</summary>
        public const int MaxMemslots = 32764;

        /// <summary>Kernel: INVALID_GPA as the "no range yet" marker of mmu_invalidate_range_start/end.</summary>
        internal const ulong InvalidGfn = ulong.MaxValue;

        private static int s_nextId;

        private readonly KvmMemslots[] _memslots = new KvmMemslots[AddressSpaceCount];
        private readonly object _mnInvalidateLock = new object();
        private readonly List<KvmVcpu> _vcpus = new List<KvmVcpu>();

        /// <param name="machine">The host the VM runs on.</param>
        /// <param name="type">Kernel: the KVM_CREATE_VM type.</param>
        /// <param name="mm">The VMM's address space; KVM subscribes to its mmu_notifier events.</param>
        /// <param name="checkedMode">Throw at a contract violation (true) or only count it (false).</param>
        /// <param name="notifierOps">The mmu_notifier callbacks to run; the runtime's port of kvm_main.c when null.</param>
        public Kvm(Machine machine, KvmVmType type, HostAddressSpace mm, bool checkedMode = true, KvmMmuNotifierOps? notifierOps = null)
        {
            Machine = machine ?? throw new ArgumentNullException(nameof(machine));
            Mm = mm ?? throw new ArgumentNullException(nameof(mm));
            Type = type;
            Id = Interlocked.Increment(ref s_nextId);
            KeyId = type.IsEncrypted() ? (ushort)(Id % 0xFFFF == 0 ? 1 : Id % 0xFFFF) : (ushort)0;
            Lockdep = new Lockdep(checkedMode);
            MmuLock = new KvmMmuLock(Lockdep, this);
            Srcu.Lockdep = Lockdep;
            Attributes = new KvmMemoryAttributes();
            for (var i = 0; i < AddressSpaceCount; i++)
            {
                _memslots[i] = KvmMemslots.Empty;
            }

            mm.RegisterNotifier(new KvmMmuNotifier(this, notifierOps ?? KvmMmuNotifierOps.Kernel));
        }

        public int Id { get; }

        public KvmVmType Type { get; }

        /// <summary>The key guest-private accesses are encrypted with (SEV ASID / TDX KeyID); 0 when unencrypted.</summary>
        public ushort KeyId { get; }

        public Machine Machine { get; }

        /// <summary>The VMM's address space, whose changes reach KVM through the mmu_notifier.</summary>
        public HostAddressSpace Mm { get; }

        /// <summary>kvm->mmu_lock.</summary>
        [MmuLock]
        public KvmMmuLock MmuLock { get; }

        /// <summary>kvm->slots_lock: serialises memslot and memory-attribute updates.</summary>
        public object SlotsLock { get; } = new object();

        /// <summary>
        /// Kernel: mutex_lock(&amp;kvm->slots_lock), for a port: takes <see cref="SlotsLock"/> with
        /// lockdep's order check (an inversion against mmu_lock, mmap_lock or an SRCU read section
        /// is reported even when nothing deadlocks); disposing the scope drops it.
        /// </summary>
        public IDisposable EnterSlotsLock() => LockOrder.EnterSlotsLock(this);

        public Lockdep Lockdep { get; }

        public KvmStats Stats { get; } = new KvmStats();

        /// <summary>kvm->mem_attr_array.</summary>
        public KvmMemoryAttributes Attributes { get; }

        /// <summary>Use WBNOINVD on only the CPUs that ran this VM for SEV reclaim (kernel 6.15+), instead of WBINVD everywhere.</summary>
        public bool ReclaimOnlyCpusThatRan { get; set; }

        internal Srcu Srcu { get; } = new Srcu();

        /// <summary>Test hook: runs in a page fault after it checked the gfn's attributes and before it resolves the pfn.</summary>
        internal Action<ulong>? AfterFaultCheckedAttributes;

        // kvm->mmu_invalidate_seq, _in_progress, _range_start, _range_end: written under mmu_lock
        // held for write, read by faults under mmu_lock held for read (and the seq before it).
        internal long mmuInvalidateSeq;
        internal long mmuInvalidateInProgress;
        internal ulong mmuInvalidateRangeStart = InvalidGfn;
        internal ulong mmuInvalidateRangeEnd = InvalidGfn;

        // kvm->mn_active_invalidate_count, under mn_invalidate_lock.
        private long _mnActiveInvalidateCount;

        /// <summary>Kernel: kvm->mmu_invalidate_seq.</summary>
        public long MmuInvalidateSeq => Interlocked.Read(ref mmuInvalidateSeq);

        /// <summary>Kernel: kvm->mmu_invalidate_in_progress.</summary>
        public long MmuInvalidateInProgress => Interlocked.Read(ref mmuInvalidateInProgress);

        public IReadOnlyList<KvmVcpu> Vcpus
        {
            get
            {
                lock (_vcpus)
                {
                    return _vcpus.ToArray();
                }
            }
        }

        /// <summary>Kernel: __kvm_memslots(kvm, as_id): the current snapshot (read under SRCU).</summary>
        public KvmMemslots Memslots(int addressSpaceId = 0) => Volatile.Read(ref _memslots[addressSpaceId]);

        /// <summary>Kernel: kvm_vm_ioctl_create_vcpu. The vCPU runs on physical CPU <paramref name="cpu"/>.</summary>
        public KvmVcpu CreateVcpu(int cpu)
        {
            var vcpu = new KvmVcpu(this, Machine.Cpus[cpu % Machine.Cpus.Count]);
            lock (_vcpus)
            {
                _vcpus.Add(vcpu);
            }

            return vcpu;
        }

        /// <summary>Kernel: kvm_flush_remote_tlbs.</summary>
        public void FlushRemoteTlbs()
        {
            var covers = MmuLock.ZapGeneration;
            Machine.FlushRemoteTlbs(Id);
            MmuLock.NoteTlbsFlushed(covers);
        }

        /// <summary>
        /// The write_unlock(mmu_lock) that ends a walk that may have zapped. A walk a checked-mode
        /// violation unwound (<paramref name="completed"/> false) has not flushed yet: its zaps are
        /// flushed first, so no stale TLB entry outlives the walk and the unlock reports nothing
        /// beyond the violation itself.
        /// </summary>
        [ReleasesMmuLock]
        internal void WriteUnlockAfterWalk(bool completed)
        {
            if (!completed)
            {
                FlushRemoteTlbs();
            }

            MmuLock.WriteUnlock();
        }

        /// <summary>Finds the slot of a gfn in the normal address space.</summary>
        public KvmMemorySlot? GfnToMemslot(ulong gfn, int addressSpaceId = 0) => Memslots(addressSpaceId).FindByGfn(gfn);

        /// <summary>Kernel: kvm_swap_active_memslots: waits out in-flight notifier invalidations, publishes, waits out readers.</summary>
        private void SwapActiveMemslots(int addressSpaceId, KvmMemslots slots)
        {
            // range_start() and range_end() must see the same memslots, or the
            // mmu_invalidate_in_progress adjustments they make would not balance.
            lock (_mnInvalidateLock)
            {
                while (_mnActiveInvalidateCount != 0)
                {
                    Monitor.Wait(_mnInvalidateLock);
                }

                Volatile.Write(ref _memslots[addressSpaceId], slots);
            }

            Srcu.Synchronize();
        }

        /// <summary>
        /// Kernel: <c>kvm->mn_active_invalidate_count++</c> under mn_invalidate_lock, at the top of
        /// invalidate_range_start: memslot updates wait until the matching range_end.
        /// </summary>
        public void MnInvalidateStarted()
        {
            lock (_mnInvalidateLock)
            {
                _mnActiveInvalidateCount++;
            }
        }

        /// <summary>Kernel: the matching decrement in invalidate_range_end, waking a waiting memslot update.</summary>
        public void MnInvalidateEnded()
        {
            lock (_mnInvalidateLock)
            {
                if (_mnActiveInvalidateCount == 0)
                {
                    Lockdep.Report(ContractViolation.InvalidationImbalance, "invalidate_range_end without invalidate_range_start");
                    return;
                }

                if (--_mnActiveInvalidateCount == 0)
                {
                    Monitor.PulseAll(_mnInvalidateLock);
                }
            }
        }

        public override string ToString() => $"kvm-{Id} ({Type})";
    }
}
