namespace GfnGuard.Runtime
{
    /// <summary>
    /// A gfn-range handler (kernel: <c>gfn_handler_t</c>): unmap, age or test-age. Returns true
    /// when the caller must flush TLBs (or, for test-age, when the range is young).
    /// </summary>
    public delegate bool KvmGfnRangeHandler(Kvm kvm, ref KvmGfnRange range);

    /// <summary>Runs under mmu_lock once, on the first memslot found (kernel: <c>on_lock_fn_t</c>).</summary>
    public delegate void KvmOnLock(Kvm kvm);
}
