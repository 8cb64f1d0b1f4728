namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// One string per distinct name read from source text, so that scanning a tree allocates a
    /// name once rather than at every occurrence (a token's ValueText gives that for free; a
    /// text scan has to earn it). Open addressing over the characters; not thread-safe, so each
    /// scanning thread keeps its own (see <see cref="BodySummary"/>).
    /// </summary>
    internal sealed class NameTable
    {
        // Past this many names the table starts again, so a long-lived process (the IDE) does not
        // keep every name it ever read.
        private const int MaxNames = 1 << 15;

        private string?[] _names = new string?[1024];
        private int[] _hashes = new int[1024];
        private int _count;

        /// <summary>The string for <paramref name="length"/> characters of <paramref name="chars"/> from <paramref name="start"/>.</summary>
        internal string Get(char[] chars, int start, int length)
        {
            var hash = Hash(chars, start, length);
            var mask = _names.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var name = _names[slot];
                if (name is null)
                {
                    return Add(hash, new string(chars, start, length));
                }

                if (_hashes[slot] == hash && Equals(name, chars, start, length))
                {
                    return name;
                }
            }
        }

        private string Add(int hash, string name)
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

            Insert(name, hash);
            return name;
        }

        private void Grow()
        {
            var names = _names;
            var hashes = _hashes;
            _names = new string?[names.Length * 2];
            _hashes = new int[names.Length * 2];
            _count = 0;
            for (var i = 0; i < names.Length; i++)
            {
                if (names[i] is { } name)
                {
                    Insert(name, hashes[i]);
                }
            }
        }

        private void Insert(string name, int hash)
        {
            var mask = _names.Length - 1;
            var slot = hash & mask;
            while (_names[slot] is not null)
            {
                slot = (slot + 1) & mask;
            }

            _names[slot] = name;
            _hashes[slot] = hash;
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
