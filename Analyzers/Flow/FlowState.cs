using System;
using System.Collections.Generic;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The abstract state on one program point: what each followed place may hold.
    /// Immutable; a place with no entry is <see cref="BoolValue.Unknown"/>. A method follows a
    /// handful of places, so the entries are a small array searched linearly: far cheaper to
    /// read, copy and join than a hashed immutable map at these sizes.
    /// </summary>
    internal sealed class FlowState
    {
        internal static readonly FlowState Empty = new FlowState(Array.Empty<Entry>());

        private readonly Entry[] _entries;

        private FlowState(Entry[] entries)
        {
            _entries = entries;
        }

        internal int Count => _entries.Length;

        internal BoolValue Get(FlowLocation location)
        {
            var index = IndexOf(_entries, location);
            return index >= 0 ? _entries[index].Value : BoolValue.Unknown;
        }

        internal FlowState Set(FlowLocation location, BoolValue value)
        {
            if (value.Equals(BoolValue.Unknown) && value.TrueSites.IsEmpty)
            {
                return Forget(location);
            }

            var index = IndexOf(_entries, location);
            if (index >= 0)
            {
                if (_entries[index].Value.Equals(value))
                {
                    return this;
                }

                var replaced = (Entry[])_entries.Clone();
                replaced[index] = new Entry(location, value);
                return new FlowState(replaced);
            }

            var added = new Entry[_entries.Length + 1];
            Array.Copy(_entries, added, _entries.Length);
            added[_entries.Length] = new Entry(location, value);
            return new FlowState(added);
        }

        /// <summary>Forgets the place and everything below it (a call may have changed them).</summary>
        internal FlowState Forget(FlowLocation location)
        {
            var kept = 0;
            foreach (var entry in _entries)
            {
                if (!location.Contains(entry.Location))
                {
                    kept++;
                }
            }

            if (kept == _entries.Length)
            {
                return this;
            }

            var result = new Entry[kept];
            var next = 0;
            foreach (var entry in _entries)
            {
                if (!location.Contains(entry.Location))
                {
                    result[next++] = entry;
                }
            }

            return new FlowState(result);
        }

        /// <summary>A struct copy: every place below <paramref name="to"/> takes the value of its twin below <paramref name="from"/>.</summary>
        internal FlowState Copy(FlowLocation from, FlowLocation to)
        {
            if (from.Equals(to))
            {
                return this;
            }

            List<Entry>? copied = null;
            foreach (var entry in _entries)
            {
                if (from.Contains(entry.Location))
                {
                    (copied ??= new List<Entry>()).Add(new Entry(entry.Location.Rebase(from, to), entry.Value));
                }
            }

            var result = Forget(to);
            if (copied is null)
            {
                return result;
            }

            var entries = new List<Entry>(result._entries);
            foreach (var entry in copied)
            {
                var index = IndexOf(entries, entry.Location);
                if (index >= 0)
                {
                    entries[index] = entry;
                }
                else
                {
                    entries.Add(entry);
                }
            }

            return new FlowState(entries.ToArray());
        }

        /// <summary>Where paths meet: each place may hold what either side may hold.</summary>
        internal FlowState Join(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return this;
            }

            var result = new List<Entry>(_entries.Length + other._entries.Length);
            foreach (var entry in _entries)
            {
                result.Add(new Entry(entry.Location, entry.Value.Join(other.Get(entry.Location))));
            }

            foreach (var entry in other._entries)
            {
                if (IndexOf(_entries, entry.Location) < 0)
                {
                    result.Add(new Entry(entry.Location, entry.Value.Join(BoolValue.Unknown)));
                }
            }

            return new FlowState(result.ToArray());
        }

        internal bool SameAs(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (_entries.Length != other._entries.Length)
            {
                return false;
            }

            foreach (var entry in _entries)
            {
                var index = IndexOf(other._entries, entry.Location);
                if (index < 0 || !other._entries[index].Value.Equals(entry.Value))
                {
                    return false;
                }
            }

            return true;
        }

        private static int IndexOf(Entry[] entries, FlowLocation location)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                if (entries[i].Location.Equals(location))
                {
                    return i;
                }
            }

            return -1;
        }

        private static int IndexOf(List<Entry> entries, FlowLocation location)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Location.Equals(location))
                {
                    return i;
                }
            }

            return -1;
        }

        private readonly struct Entry
        {
            internal Entry(FlowLocation location, BoolValue value)
            {
                Location = location;
                Value = value;
            }

            internal FlowLocation Location { get; }

            internal BoolValue Value { get; }
        }
    }
}
