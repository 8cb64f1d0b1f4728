using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>The arch hooks generic KVM calls (arch/x86/kvm/x86.c), dispatched per VM type.</summary>
    public static class KvmArch
    {
        /// <summary>
        /// Kernel: kvm_arch_guest_memory_reclaimed → static_call(kvm_x86_guest_memory_reclaimed).
        /// Guest memory reachable by HVA was just unmapped; encrypted VMs whose private memory
        /// is HVA-backed (SEV, SEV-ES) must write back caches before those frames are reused.
        /// Slow (WBINVD on every CPU), so never under mmu_lock.
        /// </summary>
        [ReclaimsGuestMemory]
        public static void kvm_arch_guest_memory_reclaimed(Kvm kvm)
        {
            if (kvm.MmuLock.IsHeld)
            {
                kvm.Lockdep.Report(ContractViolation.ReclaimUnderMmuLock, "kvm_arch_guest_memory_reclaimed() called with mmu_lock held");
            }

            Interlocked.Increment(ref kvm.Stats.reclaims);
            kvm.Machine.Trace?.Instant("kvm_arch_guest_memory_reclaimed", kvm.Id);
            if (kvm.Type is KvmVmType.Sev or KvmVmType.SevEs or KvmVmType.Snp)
            {
                Sev.sev_guest_memory_reclaimed(kvm);
            }

            // TDX and the unencrypted types have no guest_memory_reclaimed hook.
        }

        /// <summary>
        /// Kernel: kvm_arch_gmem_invalidate (free_folio of a guest_memfd page): SNP hands the page
        /// back to the hypervisor in the RMP and flushes its lines.
        /// </summary>
        internal static void GmemInvalidate(Kvm kvm, long pfn)
        {
            if (kvm.Type == KvmVmType.Snp)
            {
                Sev.sev_gmem_invalidate(kvm, pfn);
            }
        }

        /// <summary>Kernel: kvm_arch_gmem_prepare: SNP assigns the page to the guest in the RMP.</summary>
        internal static void GmemPrepare(Kvm kvm, long pfn, ulong gfn)
        {
            if (kvm.Type == KvmVmType.Snp)
            {
                Sev.sev_gmem_prepare(kvm, pfn, gfn);
            }
        }

        /// <summary>Kernel: the remove_external_spte hook: TDX flushes a private page as it leaves the S-EPT.</summary>
        internal static void RemovePrivateSpte(Kvm kvm, long pfn)
        {
            if (kvm.Type == KvmVmType.Tdx)
            {
                Tdx.tdx_sept_remove_private_spte(kvm, pfn);
            }
        }
    }
}
