namespace GfnGuard.Runtime
{
    /// <summary>VM types (KVM_X86_*_VM; SEV and SEV-ES are flavours of the default type in the kernel).</summary>
    public enum KvmVmType
    {
        /// <summary>KVM_X86_DEFAULT_VM: no private memory, no encryption.</summary>
        Default,

        /// <summary>KVM_X86_SW_PROTECTED_VM: private memory from guest_memfd, no encryption (for testing).</summary>
        SwProtected,

        /// <summary>AMD SEV: memory encrypted with the VM's ASID key, backed by HVAs; caches not coherent across keys.</summary>
        Sev,

        /// <summary>AMD SEV-ES: SEV with encrypted register state; reclaim as SEV.</summary>
        SevEs,

        /// <summary>AMD SEV-SNP (KVM_X86_SNP_VM): private memory from guest_memfd, guarded by the RMP.</summary>
        Snp,

        /// <summary>Intel TDX (KVM_X86_TDX_VM): private memory from guest_memfd, encrypted with a KeyID.</summary>
        Tdx,
    }

    public static class KvmVmTypeExtensions
    {
        /// <summary>Private memory comes from guest_memfd (kernel: kvm_arch_has_private_mem).</summary>
        public static bool HasGmemPrivateMemory(this KvmVmType type) =>
            type is KvmVmType.SwProtected or KvmVmType.Snp or KvmVmType.Tdx;

        /// <summary>Guest memory is encrypted with a per-VM key (SEV ASID or TDX KeyID).</summary>
        public static bool IsEncrypted(this KvmVmType type) =>
            type is KvmVmType.Sev or KvmVmType.SevEs or KvmVmType.Snp or KvmVmType.Tdx;

        /// <summary>SEV or SEV-ES: encrypted memory reachable through HVAs, so reclaim must flush caches.</summary>
        public static bool IsSevWithoutGmem(this KvmVmType type) => type is KvmVmType.Sev or KvmVmType.SevEs;
    }
}
