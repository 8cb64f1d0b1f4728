namespace GfnGuard.Runtime
{
    /// <summary>Intel TDX private-memory hooks (arch/x86/kvm/vmx/tdx.c).</summary>
    public static class Tdx
    {
        /// <summary>
        /// Kernel: tdx_sept_remove_private_spte: TDH.MEM.PAGE.REMOVE, then
        /// TDH.PHYMEM.PAGE.WBINVD flushes the page's lines tagged with the TD's KeyID.
        /// </summary>
        internal static void tdx_sept_remove_private_spte(Kvm kvm, long pfn) => kvm.Machine.FlushPage(pfn);
    }
}
