namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The names a whole tree spells, kept as a Bloom filter: it can say a name is certainly
    /// absent, or that it may be present. That is all the gate asks of a whole tree (does it
    /// spell any name that could matter?), and a "may" only costs indexing the tree, whose
    /// bodies are then read exactly. Filling it costs a few bit sets per name, where a set of
    /// strings costs a string look-up per occurrence; a tree of ordinary code is the case this
    /// is for, and there every answer is "absent".
    /// </summary>
    internal sealed class NameFilter
    {
        // Four probes. A filter is filled at about two bits per character of text (a tree
        // spells a distinct name per 25 or more characters, so over 50 bits per name), then
        // kept folded to 32 to 64 bits per name: a false "may" about once in 5,000 questions.
        private const int Probes = 4;
        private const int MinBits = 1 << 13;
        private const int MaxBits = 1 << 23;
        private const int MinCompactBits = 1 << 9;
        private const int CompactBitsPerName = 32;

        // The role prefixes the gate asks trees about (kvm_mmu_notifier_, kvm_gmem_, __kvm_gmem_), from the catalogue.
        private static readonly string[] Prefixes = System.Linq.Enumerable.ToArray(Roles.RoleCatalog.HvaPathMethods.Prefixes.AddRange(Roles.RoleCatalog.GmemPathMethods.Prefixes));
        private static readonly int[] PrefixHashes = System.Array.ConvertAll(Prefixes, Hash);

        // Which ASCII characters start a prefix: most names are turned away by one look-up.
        private static readonly bool[] StartsAPrefix = PrefixStarts();

        private static bool[] PrefixStarts()
        {
            var starts = new bool[0x80];
            foreach (var prefix in Prefixes)
            {
                starts[prefix[0]] = true;
            }

            return starts;
        }

        // Each thread fills one filter and keeps only its folded copy: the gate reads every
        // tree of a compilation, and a filter sized by text is ten times what the names need.
        [System.ThreadStatic]
        private static NameFilter? t_scratch;

        private readonly ulong[] _bits;
        private int _mask;

        private NameFilter(ulong[] bits)
        {
            _bits = bits;
            _mask = (bits.Length * 64) - 1;
        }

        /// <summary>How many bits the filter has (a power of two).</summary>
        internal int Bits => _mask + 1;

        /// <summary>
        /// This thread's filter to fill for text of <paramref name="textLength"/> characters,
        /// emptied. It is lent, not given: keep its <see cref="Compact"/> copy, never itself.
        /// </summary>
        internal static NameFilter Scratch(int textLength)
        {
            var bits = BitsFor(textLength);
            var scratch = t_scratch;
            if (scratch is null || scratch._bits.Length < bits / 64)
            {
                scratch = t_scratch = new NameFilter(new ulong[bits / 64]);
            }

            System.Array.Clear(scratch._bits, 0, bits / 64);
            scratch._mask = bits - 1;
            return scratch;
        }

        /// <summary>
        /// A copy with the fewest bits that keep <see cref="CompactBitsPerName"/> per name it
        /// holds (counted from the bits set). A filter whose size is a power of two folds onto
        /// its lower half by OR: a bit's index is the probe's hash masked, so masking with one
        /// bit fewer gives the same bit in the half, and no name it holds is lost.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotLoop.Optimized)]
        internal NameFilter Compact()
        {
            var words = Bits / 64;
            var names = EstimatedNames();
            var bits = MinCompactBits;
            while (bits < Bits && bits < CompactBitsPerName * names)
            {
                bits <<= 1;
            }

            var folded = new ulong[bits / 64];
            var foldedMask = folded.Length - 1;
            for (var i = 0; i < words; i++)
            {
                folded[i & foldedMask] |= _bits[i];
            }

            return new NameFilter(folded);
        }

        /// <summary>Adds the name whose hash is <paramref name="hash"/> (<see cref="NameTable.Extend"/> over its characters).</summary>
        internal void Add(int hash)
        {
            var step = Step(hash);
            for (var i = 0; i < Probes; i++)
            {
                var bit = hash & _mask;
                _bits[bit >> 6] |= 1UL << (bit & 63);
                hash = unchecked(hash + step);
            }
        }

        /// <summary>
        /// Adds the name at <paramref name="start"/> in <paramref name="chars"/>, whose hash is
        /// <paramref name="hash"/>. A name that starts with a role prefix
        /// (<c>kvm_mmu_notifier_</c>: an HVA-based path; <c>kvm_gmem_</c>, <c>__kvm_gmem_</c>: a
        /// guest_memfd path) also adds the prefix as a name of its own, so a tree can be asked
        /// whether it spells any such name.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotLoop.Optimized)]
        internal void AddName(char[] chars, int start, int length, int hash)
        {
            Add(hash);
            var first = chars[start];
            if (first < 0x80 && StartsAPrefix[first])
            {
                for (var p = 0; p < Prefixes.Length; p++)
                {
                    if (length > Prefixes[p].Length && first == Prefixes[p][0] && StartsWithPrefix(chars, start, Prefixes[p]))
                    {
                        Add(PrefixHashes[p]);
                    }
                }
            }
        }

        /// <summary>Adds <paramref name="name"/>, as <see cref="AddName(char[], int, int, int)"/> does.</summary>
        internal void AddName(string name)
        {
            Add(Hash(name));
            for (var p = 0; p < Prefixes.Length; p++)
            {
                if (name.Length > Prefixes[p].Length && name.StartsWith(Prefixes[p], System.StringComparison.Ordinal))
                {
                    Add(PrefixHashes[p]);
                }
            }
        }

        /// <summary>False when <paramref name="name"/> was certainly never added.</summary>
        internal bool MayContain(string name) => MayContain(Hash(name));

        /// <summary>False when the name whose <see cref="Hash"/> is <paramref name="hash"/> was certainly never added.</summary>
        internal bool MayContain(int hash)
        {
            var step = Step(hash);
            for (var i = 0; i < Probes; i++)
            {
                var bit = hash & _mask;
                if ((_bits[bit >> 6] & (1UL << (bit & 63))) == 0)
                {
                    return false;
                }

                hash = unchecked(hash + step);
            }

            return true;
        }

        /// <summary>The hash a name is added and looked up by; worth keeping when one name is asked of many filters.</summary>
        internal static int Hash(string name)
        {
            var hash = NameTable.EmptyHash;
            foreach (var c in name)
            {
                hash = NameTable.Extend(hash, c);
            }

            return hash;
        }

        /// <summary>How many distinct names the filter holds, estimated from the share of its bits set (the usual Bloom filter estimate).</summary>
        internal double EstimatedNames()
        {
            var set = 0;
            for (var i = 0; i < Bits / 64; i++)
            {
                set += PopCount(_bits[i]);
            }

            return set == Bits ? double.MaxValue : -(Bits / (double)Probes) * System.Math.Log(1 - (set / (double)Bits));
        }

        private static int BitsFor(int textLength)
        {
            var bits = MinBits;
            while (bits < MaxBits && bits < 2 * textLength)
            {
                bits <<= 1;
            }

            return bits;
        }

        // netstandard2.0 has no BitOperations.PopCount: the usual SWAR count.
        internal static int PopCount(ulong value)
        {
            value -= (value >> 1) & 0x5555555555555555UL;
            value = (value & 0x3333333333333333UL) + ((value >> 2) & 0x3333333333333333UL);
            value = (value + (value >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
            return (int)((value * 0x0101010101010101UL) >> 56);
        }

        private static bool StartsWithPrefix(char[] chars, int start, string prefix)
        {
            for (var k = 1; k < prefix.Length; k++)
            {
                if (chars[start + k] != prefix[k])
                {
                    return false;
                }
            }

            return true;
        }

        // The second hash of double hashing: the first rotated, made odd so that it walks the
        // whole power-of-two table.
        private static int Step(int hash) => unchecked((int)(((uint)hash >> 15) | ((uint)hash << 17))) | 1;
    }
}
