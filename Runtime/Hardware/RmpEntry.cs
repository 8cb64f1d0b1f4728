namespace GfnGuard.Runtime
{
    /// <summary>One SNP Reverse Map Table entry: who may use a host page (arch/x86/virt/svm/sev.c, struct rmpentry).</summary>
    public readonly struct RmpEntry
    {
        /// <summary>An RMP entry: <paramref name="gpa"/> is the guest physical byte address the page is assigned at.</summary>
        public RmpEntry(bool assigned, int asid, ulong gpa, bool validated)
        {
            Assigned = assigned;
            Asid = asid;
            Gpa = gpa;
            Validated = validated;
        }

        /// <summary>The page belongs to a guest; the host may not write it.</summary>
        public bool Assigned { get; }

        public int Asid { get; }

        public ulong Gpa { get; }

        /// <summary>The guest ran PVALIDATE on it.</summary>
        public bool Validated { get; }
    }
}
