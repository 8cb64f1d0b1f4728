using System.Collections.Generic;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// One CPU's data cache, one entry per page (standing for its lines), tagged with the
    /// encryption key of the access as SEV and TDX tag lines. Lines with different keys for
    /// the same page are not coherent with each other: that is the hazard reclaim must flush.
    /// Guarded by its CPU's lock.
    /// </summary>
    internal sealed class CpuCache
    {
        private readonly Dictionary<long, CacheLine> _lines = new Dictionary<long, CacheLine>();

        internal int Count => _lines.Count;

        /// <summary>A hit of <paramref name="keyId"/> that no coherent write (another CPU's, same key) has superseded.</summary>
        internal bool TryRead(long pfn, ushort keyId, HostMemory memory, out ulong value)
        {
            if (_lines.TryGetValue(pfn, out var line) && line.KeyId == keyId && memory.IsCurrent(pfn, keyId, line.Generation))
            {
                value = line.Value;
                return true;
            }

            value = 0;
            return false;
        }

        internal void Write(long pfn, ushort keyId, ulong value, HostMemory memory)
        {
            if (_lines.TryGetValue(pfn, out var old) && old.KeyId != keyId && old.Dirty)
            {
                // Same CPU, other key: the old line is evicted first (written back with its key).
                memory.WriteBack(pfn, old.Value, old.KeyId, old.Generation);
            }

            // Write-through for this key's coherence (see HostMemory.WriteCoherent); the line stays
            // dirty, so the page still owes a write-back if it changes owner (the SEV hazard).
            var generation = memory.WriteCoherent(pfn, value, keyId);
            _lines[pfn] = new CacheLine(keyId, value, dirty: true, generation);
        }

        internal bool HasDirtyLine(long pfn, out ushort keyId)
        {
            if (_lines.TryGetValue(pfn, out var line) && line.Dirty)
            {
                keyId = line.KeyId;
                return true;
            }

            keyId = 0;
            return false;
        }

        /// <summary>Writes back and drops every line; returns how many were dirty.</summary>
        internal int WritebackInvalidateAll(HostMemory memory)
        {
            var dirty = 0;
            foreach (var pair in _lines)
            {
                if (pair.Value.Dirty)
                {
                    memory.WriteBack(pair.Key, pair.Value.Value, pair.Value.KeyId, pair.Value.Generation);
                    dirty++;
                }
            }

            _lines.Clear();
            return dirty;
        }

        /// <summary>Writes back and drops the lines of one page; returns true if one was dirty.</summary>
        internal bool WritebackInvalidate(long pfn, HostMemory memory)
        {
            if (!_lines.TryGetValue(pfn, out var line))
            {
                return false;
            }

            _lines.Remove(pfn);
            if (line.Dirty)
            {
                memory.WriteBack(pfn, line.Value, line.KeyId, line.Generation);
                return true;
            }

            return false;
        }

        private readonly struct CacheLine
        {
            internal CacheLine(ushort keyId, ulong value, bool dirty, long generation)
            {
                KeyId = keyId;
                Value = value;
                Dirty = dirty;
                Generation = generation;
            }

            /// <summary>The memory generation the line was written at (see <see cref="HostMemory.WriteCoherent"/>).</summary>
            internal long Generation { get; }

            internal ushort KeyId { get; }

            internal ulong Value { get; }

            internal bool Dirty { get; }
        }
    }
}
