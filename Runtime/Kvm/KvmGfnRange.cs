namespace GfnGuard.Runtime
{
    /// <summary>
    /// A range of guest frame numbers in one memslot, handed to an unmap/age/test-age handler.
    /// Kernel: <c>struct kvm_gfn_range</c> (include/linux/kvm_host.h), with the
    /// <c>only_private</c>/<c>only_shared</c> filter of the 2023 guest_memfd RFC series.
    /// </summary>
    /// <remarks>
    /// The two flags say which mappings the handler may touch: both false, shared and private;
    /// <see cref="OnlyPrivate"/>, private (guest_memfd) mappings only; <see cref="OnlyShared"/>,
    /// shared mappings only (every HVA-based mmu_notifier event). Both true is contradictory and
    /// is refused here at run time as the analyzers refuse it at build time (KVM0001).
    /// </remarks>
    [GfnRange]
    public struct KvmGfnRange
    {
        private bool _onlyPrivate;
        private bool _onlyShared;

        /// <summary>A range of gfns [<paramref name="start"/>, <paramref name="end"/>) (guest frame numbers, end exclusive) in <paramref name="slot"/>, targeting shared and private mappings (neither flag set).</summary>
        public KvmGfnRange(KvmMemorySlot slot, ulong start, ulong end)
        {
            Slot = slot;
            Start = start;
            End = end;
            Arg = default;
            _onlyPrivate = false;
            _onlyShared = false;
            MayBlock = false;
        }

        /// <summary>The memslot the range lies in.</summary>
        public KvmMemorySlot? Slot { get; set; }

        /// <summary>First gfn of the range.</summary>
        public ulong Start { get; set; }

        /// <summary>One past the last gfn of the range.</summary>
        public ulong End { get; set; }

        /// <summary>The event's argument (kernel: <c>union kvm_mmu_notifier_arg</c>).</summary>
        public KvmMmuNotifierArg Arg { get; set; }

        /// <summary>Only private (guest_memfd-backed) mappings are targeted.</summary>
        public bool OnlyPrivate
        {
            readonly get => _onlyPrivate;
            set
            {
                if (value && _onlyShared)
                {
                    throw new KvmContractViolationException("KVM0001: a gfn range cannot be both private-only and shared-only.");
                }

                _onlyPrivate = value;
            }
        }

        /// <summary>Only shared mappings are targeted, as every HVA-based event must.</summary>
        public bool OnlyShared
        {
            readonly get => _onlyShared;
            set
            {
                if (value && _onlyPrivate)
                {
                    throw new KvmContractViolationException("KVM0001: a gfn range cannot be both private-only and shared-only.");
                }

                _onlyShared = value;
            }
        }

        /// <summary>
        /// The same target in upstream's form (kernel: <c>attr_filter</c>): <see cref="KvmGfnRangeFilter.Shared"/>
        /// for shared-only, <see cref="KvmGfnRangeFilter.Private"/> for private-only, both bits for
        /// neither flag set. Never 0: a range always targets something.
        /// </summary>
        public readonly KvmGfnRangeFilter Filter =>
            _onlyShared ? KvmGfnRangeFilter.Shared : _onlyPrivate ? KvmGfnRangeFilter.Private : KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private;

        /// <summary>
        /// A range of gfns [<paramref name="start"/>, <paramref name="end"/>) in <paramref name="slot"/>
        /// that targets what <paramref name="filter"/> says, as a port of a current kernel builds it.
        /// A filter of 0 targets nothing and is refused (upstream WARNs; KVM0004 at build time).
        /// </summary>
        public static KvmGfnRange WithFilter(KvmMemorySlot slot, ulong start, ulong end, KvmGfnRangeFilter filter)
        {
            var both = KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private;
            if ((filter & both) == 0 || (filter & ~both) != 0)
            {
                throw new KvmContractViolationException($"KVM0004: a gfn range filter must target shared or private mappings, not {(int)filter}.");
            }

            return new KvmGfnRange(slot, start, end)
            {
                OnlyShared = filter == KvmGfnRangeFilter.Shared,
                OnlyPrivate = filter == KvmGfnRangeFilter.Private,
            };
        }

        /// <summary>The handler may sleep (false for aging events, which run in atomic context).</summary>
        public bool MayBlock { get; set; }

        /// <summary>Number of pages in the range.</summary>
        public readonly ulong PageCount => End - Start;

        /// <summary>True when the handler may touch shared mappings.</summary>
        public readonly bool TargetsShared => !_onlyPrivate;

        /// <summary>True when the handler may touch private mappings.</summary>
        public readonly bool TargetsPrivate => !_onlyShared;

        public override readonly string ToString() =>
            $"gfn [{Start:x}, {End:x}) slot {Slot?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}"
            + (_onlyPrivate ? " private-only" : string.Empty) + (_onlyShared ? " shared-only" : string.Empty);
    }
}
