namespace GfnGuard.Runtime
{
    /// <summary>
    /// The argument an mmu_notifier event hands to its gfn-range handler.
    /// Kernel: <c>union kvm_mmu_notifier_arg</c> (the memory attributes being set, for conversions).
    /// </summary>
    public readonly struct KvmMmuNotifierArg
    {
        /// <summary>The argument of a memory-attribute event: the KVM_MEMORY_ATTRIBUTE_* bits being set.</summary>
        public KvmMmuNotifierArg(ulong attributes)
        {
            Attributes = attributes;
        }

        /// <summary>KVM_MEMORY_ATTRIBUTE_* bits, for attribute conversions.</summary>
        public ulong Attributes { get; }
    }
}
