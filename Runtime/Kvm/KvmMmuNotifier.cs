using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// KVM's mmu_notifier subscription on the VMM's address space: runs the VM's
    /// <see cref="KvmMmuNotifierOps"/> and marks the thread as inside an HVA-based event while
    /// they run, so the model can tell when such an event reaches private mappings.
    /// Kernel: <c>kvm->mmu_notifier</c> registered by kvm_init_mmu_notifier.
    /// </summary>
    internal sealed class KvmMmuNotifier : IMmuNotifier
    {
        [ThreadStatic]
        private static int t_hvaEventDepth;

        private readonly Kvm _kvm;
        private readonly KvmMmuNotifierOps _ops;

        internal KvmMmuNotifier(Kvm kvm, KvmMmuNotifierOps ops)
        {
            _kvm = kvm;
            _ops = ops;
        }

        /// <summary>True while the current thread runs an mmu_notifier callback (an HVA-based event).</summary>
        internal static bool InHvaEvent => t_hvaEventDepth > 0;

        public void InvalidateRangeStart(in MmuNotifierRange range)
        {
            _kvm.Machine.Trace?.Instant("kvm_unmap_hva_range", _kvm.Id, "start", (long)range.Start, "end", (long)range.End);
            Run(_ops.InvalidateRangeStart, range, "invalidate_range_start");
        }

        public void InvalidateRangeEnd(in MmuNotifierRange range)
        {
            Run(_ops.InvalidateRangeEnd, range, "invalidate_range_end");
        }

        public bool ClearFlushYoung(ulong start, ulong end) => Age(_ops.ClearFlushYoung, start, end, "kvm_age_hva");

        public bool ClearYoung(ulong start, ulong end) => Age(_ops.ClearYoung, start, end, "kvm_age_hva");

        public bool TestYoung(ulong start, ulong end) => Age(_ops.TestYoung, start, end, "kvm_test_age_hva");

        // Not an HVA-based event: the mm is going away and kvm_flush_shadow_all zaps everything,
        // private mappings included.
        public void Release()
        {
            var completed = false;
            try
            {
                _ops.Release(_kvm);
                completed = true;
            }
            finally
            {
                _kvm.MmuLock.LeftPortCallback(completed, "release");
            }
        }

        /// <summary>Runs an invalidate callback as an HVA event; see <see cref="KvmMmuLock.LeftPortCallback"/> for the lock it may leave held.</summary>
        private void Run(KvmMmuNotifierInvalidate callback, in MmuNotifierRange range, string name)
        {
            var completed = false;
            try
            {
                using (HvaEvent.Enter())
                {
                    callback(_kvm, range);
                }

                completed = true;
            }
            finally
            {
                _kvm.MmuLock.LeftPortCallback(completed, name);
            }
        }

        private bool Age(KvmMmuNotifierAge callback, ulong start, ulong end, string tracepoint)
        {
            _kvm.Machine.Trace?.Instant(tracepoint, _kvm.Id, "start", (long)start, "end", (long)end);
            var completed = false;
            try
            {
                bool young;
                using (HvaEvent.Enter())
                {
                    young = callback(_kvm, start, end);
                }

                completed = true;
                return young;
            }
            finally
            {
                _kvm.MmuLock.LeftPortCallback(completed, "an aging callback");
            }
        }

        /// <summary>Marks the current thread as inside an HVA-based event until disposed (events nest).</summary>
        private readonly struct HvaEvent : IDisposable
        {
            internal static HvaEvent Enter()
            {
                t_hvaEventDepth++;
                return default;
            }

            public void Dispose() => t_hvaEventDepth--;
        }
    }
}
