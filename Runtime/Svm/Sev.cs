namespace GfnGuard.Runtime
{
    /// <summary>AMD SEV, SEV-ES and SEV-SNP memory hooks (arch/x86/kvm/svm/sev.c).</summary>
    public static class Sev
    {
        /// <summary>
        /// Kernel: sev_guest_memory_reclaimed. With SNP and guest_memfd, private memory is
        /// unreachable via the HVA-based mmu notifiers, so these events only concern shared
        /// pages and need no flush. SEV and SEV-ES write back every cache.
        /// </summary>
        [ReclaimsGuestMemory]
        public static void sev_guest_memory_reclaimed(Kvm kvm)
        {
            if (!kvm.Type.IsSevWithoutGmem())
            {
                return;
            }

            if (kvm.ReclaimOnlyCpusThatRan)
            {
                kvm.Machine.WritebackCachesOfVm(kvm.Id);
            }
            else
            {
                kvm.Machine.WbinvdOnAllCpus();
            }
        }

        /// <summary>Kernel: sev_gmem_prepare: rmp_make_private for a new private page.</summary>
        internal static void sev_gmem_prepare(Kvm kvm, long pfn, ulong gfn) =>
            kvm.Machine.Rmp.MakePrivate(pfn, gfn * KvmMemorySlot.PageSize, kvm.KeyId);

        /// <summary>Kernel: sev_gmem_invalidate: rmp_make_shared, then flush the page's lines before the host reuses it.</summary>
        internal static void sev_gmem_invalidate(Kvm kvm, long pfn)
        {
            kvm.Machine.Rmp.MakeShared(pfn);
            kvm.Machine.FlushPage(pfn);
        }
    }
}
