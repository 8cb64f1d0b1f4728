namespace BuggyPort.Kernel
{
    /// <summary>struct kvm_gfn_range, ported with the kernel's own names.</summary>
    public struct kvm_gfn_range
    {
        public ulong start;
        public ulong end;
        public bool only_private;
        public bool only_shared;
        public bool may_block;
    }

    /// <summary>A port whose flags are set by two independent conditions.</summary>
    public static class KvmMain
    {
        public static kvm_gfn_range make_range(ulong start, ulong end, bool from_gmem, bool from_hva)
        {
            kvm_gfn_range range = default;
            range.start = start;
            range.end = end;
            if (from_gmem)
            {
                range.only_private = true;
            }

            if (from_hva)
            {
                // KVM0001: both conditions can hold, and then both flags are set.
                range.only_shared = true;
            }

            return range;
        }
    }
}
