namespace GfnGuard.Runtime
{
    /// <summary>
    /// The bits of a shadow page-table entry, laid out like an x86 EPT entry: present and
    /// writable low, accessed (bit 8) and dirty (bit 9), the pfn from bit 12.
    /// Kernel: arch/x86/kvm/mmu/spte.h.
    /// </summary>
    internal static class Spte
    {
        internal const ulong Present = 1UL << 0;
        internal const ulong Writable = 1UL << 1;
        internal const ulong Accessed = 1UL << 8;
        internal const ulong Dirty = 1UL << 9;
        internal const int PfnShift = 12;

        internal static ulong Make(long pfn, bool writable) =>
            ((ulong)pfn << PfnShift) | Present | Accessed | (writable ? Writable : 0);

        internal static bool IsPresent(ulong spte) => (spte & Present) != 0;

        internal static bool IsWritable(ulong spte) => (spte & Writable) != 0;

        internal static bool IsAccessed(ulong spte) => (spte & Accessed) != 0;

        internal static long Pfn(ulong spte) => (long)(spte >> PfnShift);
    }
}
