using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// A guest_memfd invalidation callback for file pages [<paramref name="start"/>, <paramref name="end"/>)
    /// (page indexes into the file, not gfns).
    /// </summary>
    public delegate void KvmGmemInvalidate(KvmGmem gmem, ulong start, ulong end);

    /// <summary>
    /// The invalidation pair punch-hole and release run around freeing pages. The kernel has no
    /// such table (guest_memfd.c calls kvm_gmem_invalidate_begin/end directly); it exists so a
    /// port under test can run its own pair through <see cref="Kvm.CreateGuestMemfd(ulong, KvmGmemOps?)"/>
    /// and its bugs show in the counters: a range that is not private-only leaves private SPTEs
    /// mapping the pages guest_memfd then frees (<see cref="KvmStats.PrivateSptesLeftOnFreedPages"/>).
    /// </summary>
    public sealed class KvmGmemOps
    {
        /// <summary>An invalidation pair; both are required (pass <see cref="Kernel"/>'s for the one a port keeps).</summary>
        public KvmGmemOps(KvmGmemInvalidate invalidateBegin, KvmGmemInvalidate invalidateEnd)
        {
            InvalidateBegin = invalidateBegin ?? throw new ArgumentNullException(nameof(invalidateBegin));
            InvalidateEnd = invalidateEnd ?? throw new ArgumentNullException(nameof(invalidateEnd));
        }

        /// <summary>The runtime's port of guest_memfd.c's pair.</summary>
        public static KvmGmemOps Kernel { get; } = new KvmGmemOps(
            (gmem, start, end) => gmem.KernelInvalidateBegin(start, end),
            (gmem, start, end) => gmem.KernelInvalidateEnd(start, end));

        /// <summary>Kernel: kvm_gmem_invalidate_begin: zap the private mappings of the bound slots, invalidation open.</summary>
        public KvmGmemInvalidate InvalidateBegin { get; }

        /// <summary>Kernel: kvm_gmem_invalidate_end: close the invalidation.</summary>
        public KvmGmemInvalidate InvalidateEnd { get; }
    }
}
