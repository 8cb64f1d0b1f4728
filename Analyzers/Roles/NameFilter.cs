namespace GfnGuard.Analyzers.Roles
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
        // Four probes, and about two bits per character of text: a tree spells a distinct name
        // per 25 or more characters, so over 50 bits per name and a false "may" about once in
        // 30,000 questions.
        private const int Probes = 4;
        private const int MinBits = 1 << 13;
        private const int MaxBits = 1 << 23;

        private const string Prefix = KnownNames.HvaPathMethodPrefix;
        private static readonly int PrefixHash = Hash(Prefix);

        private readonly ulong[] _bits;
        private readonly int _mask;

        internal NameFilter(int textLength)
        {
            var bits = MinBits;
            while (bits < MaxBits && bits < 2 * textLength)
            {
                bits <<= 1;
            }

            _bits = new ulong[bits / 64];
            _mask = bits - 1;
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
        /// <paramref name="hash"/>. A name that starts with <see cref="KnownNames.HvaPathMethodPrefix"/>
        /// (every kvm_mmu_notifier_* callback is an HVA-based path) also adds the prefix as a name
        /// of its own, so a tree can be asked whether it spells any such name.
        /// </summary>
        internal void AddName(char[] chars, int start, int length, int hash)
        {
            Add(hash);
            if (length > Prefix.Length && chars[start] == Prefix[0] && StartsWithPrefix(chars, start))
            {
                Add(PrefixHash);
            }
        }

        /// <summary>Adds <paramref name="name"/>, as <see cref="AddName(char[], int, int, int)"/> does.</summary>
        internal void AddName(string name)
        {
            Add(Hash(name));
            if (name.Length > Prefix.Length && name.StartsWith(Prefix, System.StringComparison.Ordinal))
            {
                Add(PrefixHash);
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

        private static bool StartsWithPrefix(char[] chars, int start)
        {
            for (var k = 1; k < Prefix.Length; k++)
            {
                if (chars[start + k] != Prefix[k])
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
