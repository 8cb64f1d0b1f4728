using Microsoft.CodeAnalysis.CSharp;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// One string per distinct name read from source text, so that scanning a tree allocates a
    /// name once rather than at every occurrence (a token's ValueText gives that for free; a
    /// text scan has to earn it), and whether C# reserves it as a keyword. Open addressing
    /// over the characters; not thread-safe, so each scanning thread keeps its own (see
    /// <see cref="BodySummary"/>). It also remembers which names the current scan has met
    /// already (<see cref="BeginScan"/>), so a scan hands each distinct name on once instead of
    /// hashing it again into a set at every occurrence.
    /// </summary>
    internal sealed class NameTable
    {
        // Past this many names the table starts again, so a long-lived process (the IDE) does not
        // keep every name it ever read.
        private const int MaxNames = 1 << 15;

        private string?[] _names = new string?[1024];
        private int[] _hashes = new int[1024];
        private bool[] _reserved = new bool[1024];
        private int[] _metInScan = new int[1024];
        private int _count;
        private int _scan = 1;

        /// <summary>The hash <see cref="Meet"/> expects before the first character of a name.</summary>
        internal const int EmptyHash = unchecked((int)2166136261);

        /// <summary>The hash of a name so far, extended by <paramref name="c"/> (FNV-1a), so a scanner can hash a name as it reads it.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        internal static int Extend(int hash, char c) => unchecked((hash ^ c) * 16777619);

        /// <summary>Starts a scan: from here <see cref="Meet"/> says first for each name once.</summary>
        internal void BeginScan()
        {
            if (++_scan == int.MaxValue)
            {
                System.Array.Clear(_metInScan, 0, _metInScan.Length);
                _scan = 1;
            }
        }

        /// <summary>
        /// The string for <paramref name="length"/> characters of <paramref name="chars"/> from
        /// <paramref name="start"/>; <paramref name="reserved"/> when it is a reserved keyword
        /// (<c>if</c>, <c>new</c>; not a contextual one such as <c>var</c>, which can be a name).
        /// </summary>
        internal string Get(char[] chars, int start, int length, out bool reserved)
        {
            // Find first, then read _names: Find may grow the table, and `_names[Find(...)]` would
            // index the array from before the growth with a slot of the new one (C# evaluates the
            // array reference before the index). That was the IndexOutOfRangeException, or a wrong
            // name, seen once in ~45 Serilog builds: it needs a new name met through Get (a
            // creation's type, a number's tail) exactly when the thread's table is full.
            var slot = Find(chars, start, length, Hash(chars, start, length), out reserved);
            return _names[slot]!;
        }

        /// <summary>
        /// As <see cref="Get(char[], int, int, out bool)"/>, given the name's <paramref name="hash"/>
        /// (<see cref="Extend"/> over its characters from <see cref="EmptyHash"/>), for the scan
        /// itself: <paramref name="first"/> when the current scan has not met the name before.
        /// </summary>
        internal string Meet(char[] chars, int start, int length, int hash, out bool reserved, out bool first)
        {
            var slot = Find(chars, start, length, hash, out reserved);
            first = _metInScan[slot] != _scan;
            _metInScan[slot] = _scan;
            return _names[slot]!;
        }

        /// <summary>The slot of the name, added if new.</summary>
        private int Find(char[] chars, int start, int length, int hash, out bool reserved)
        {
            hash &= int.MaxValue;
            var mask = _names.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var name = _names[slot];
                if (name is null)
                {
                    name = new string(chars, start, length);
                    reserved = SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;
                    return Add(hash, name, reserved);
                }

                if (_hashes[slot] == hash && Equals(name, chars, start, length))
                {
                    reserved = _reserved[slot];
                    return slot;
                }
            }
        }

        private int Add(int hash, string name, bool reserved)
        {
            if (_count >= MaxNames)
            {
                System.Array.Clear(_names, 0, _names.Length);
                System.Array.Clear(_metInScan, 0, _metInScan.Length);
                _count = 0;
            }

            if (2 * (_count + 1) > _names.Length)
            {
                Grow();
            }

            return Insert(name, hash, reserved);
        }

        private void Grow()
        {
            var names = _names;
            var hashes = _hashes;
            var reserved = _reserved;
            var met = _metInScan;
            _names = new string?[names.Length * 2];
            _hashes = new int[names.Length * 2];
            _reserved = new bool[names.Length * 2];
            _metInScan = new int[names.Length * 2];
            _count = 0;
            for (var i = 0; i < names.Length; i++)
            {
                if (names[i] is { } name)
                {
                    _metInScan[Insert(name, hashes[i], reserved[i])] = met[i];
                }
            }
        }

        private int Insert(string name, int hash, bool reserved)
        {
            var mask = _names.Length - 1;
            var slot = hash & mask;
            while (_names[slot] is not null)
            {
                slot = (slot + 1) & mask;
            }

            _names[slot] = name;
            _hashes[slot] = hash;
            _reserved[slot] = reserved;
            _count++;
            return slot;
        }

        private static int Hash(char[] chars, int start, int length)
        {
            var hash = EmptyHash;
            for (var i = start; i < start + length; i++)
            {
                hash = Extend(hash, chars[i]);
            }

            return hash;
        }

        private static bool Equals(string name, char[] chars, int start, int length)
        {
            if (name.Length != length)
            {
                return false;
            }

            for (var i = 0; i < length; i++)
            {
                if (name[i] != chars[start + i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
