namespace GfnGuard.Runtime
{
    /// <summary>
    /// KVM's mmu_notifier subscription on the VMM's address space.
    /// Kernel: <c>kvm_mmu_notifier_ops</c> in virt/kvm/kvm_main.c.
    /// </summary>
    internal sealed class KvmMmuNotifier : IMmuNotifier
    {
        private readonly Kvm _kvm;

        internal KvmMmuNotifier(Kvm kvm)
        {
            _kvm = kvm;
        }

        public void InvalidateRangeStart(in MmuNotifierRange range) => _kvm.MmuNotifierInvalidateRangeStart(range);

        public void InvalidateRangeEnd(in MmuNotifierRange range) => _kvm.MmuNotifierInvalidateRangeEnd(range);

        public bool ClearFlushYoung(ulong start, ulong end) => _kvm.MmuNotifierClearFlushYoung(start, end);

        public bool ClearYoung(ulong start, ulong end) => _kvm.MmuNotifierClearYoung(start, end);

        public bool TestYoung(ulong start, ulong end) => _kvm.MmuNotifierTestYoung(start, end);

        public void Release() => _kvm.MmuNotifierRelease();
    }
}
