using Microsoft.CodeAnalysis.CSharp;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// One string per distinct name read from source text, so that scanning a tree allocates a
    /// name once rather than at every occurrence (a token's ValueText gives that for free; a
    /// text scan has to earn it), and whether C# reserves it as a keyword. Open addressing
    /// over the characters; not thread-safe, so each scanning thread keeps its own (see
    /// <see cref="BodySummary"/>).
    /// </summary>
    internal sealed class NameTable
    {
        // Past this many names the table starts again, so a long-lived process (the IDE) does not
        // keep every name it ever read.
        private const int MaxNames = 1 << 15;

        private string?[] _names = new string?[1024];
        private int[] _hashes = new int[1024];
        private bool[] _reserved = new bool[1024];
        private int _count;

        /// <summary>
        /// The string for <paramref name="length"/> characters of <paramref name="chars"/> from
        /// <paramref name="start"/>; <paramref name="reserved"/> when it is a reserved keyword
        /// (<c>if</c>, <c>new</c>; not a contextual one such as <c>var</c>, which can be a name).
        /// </summary>
        internal string Get(char[] chars, int start, int length, out bool reserved)
        {
            var hash = Hash(chars, start, length);
            var mask = _names.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var name = _names[slot];
                if (name is null)
                {
                    name = new string(chars, start, length);
                    reserved = SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;
                    Add(hash, name, reserved);
                    return name;
                }

                if (_hashes[slot] == hash && Equals(name, chars, start, length))
                {
                    reserved = _reserved[slot];
                    return name;
                }
            }
        }

        private void Add(int hash, string name, bool reserved)
        {
            if (_count >= MaxNames)
            {
                System.Array.Clear(_names, 0, _names.Length);
                _count = 0;
            }

            if (2 * (_count + 1) > _names.Length)
            {
                Grow();
            }

            Insert(name, hash, reserved);
        }

        private void Grow()
        {
            var names = _names;
            var hashes = _hashes;
            var reserved = _reserved;
            _names = new string?[names.Length * 2];
            _hashes = new int[names.Length * 2];
            _reserved = new bool[names.Length * 2];
            _count = 0;
            for (var i = 0; i < names.Length; i++)
            {
                if (names[i] is { } name)
                {
                    Insert(name, hashes[i], reserved[i]);
                }
            }
        }

        private void Insert(string name, int hash, bool reserved)
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
        }

        private static int Hash(char[] chars, int start, int length)
        {
            // FNV-1a over the characters.
            var hash = unchecked((int)2166136261);
            for (var i = start; i < start + length; i++)
            {
                hash = unchecked((hash ^ chars[i]) * 16777619);
            }

            return hash & int.MaxValue;
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
