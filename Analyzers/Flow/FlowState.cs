using System;
using System.Collections.Generic;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The abstract state on one program point: what each followed place may hold. A place with
    /// no entry is <see cref="BoolValue.Unknown"/>. A method follows a handful of places, so the
    /// entries are a small array searched linearly: far cheaper to read, copy and join than a
    /// hashed map at these sizes.
    /// </summary>
    /// <remarks>
    /// A state is immutable once published: <see cref="Set"/>, <see cref="Forget"/> and
    /// <see cref="Copy"/> on it return a new state. The transfer functions change the state once
    /// per operation, so a copy per change was most of the analysis's allocation; instead they
    /// take a private working copy with <see cref="Edit"/>, which those methods change in place,
    /// and <see cref="Publish"/> it before anyone else can see it (a block's output, a state
    /// handed to an observer). Only the transfer that made a working copy holds it.
    /// </remarks>
    internal sealed class FlowState
    {
        internal static readonly FlowState Empty = new FlowState(Array.Empty<Entry>(), 0, editable: false);

        private Entry[] _entries;
        private int _count;
        private bool _editable;

        private FlowState(Entry[] entries, int count, bool editable)
        {
            _entries = entries;
            _count = count;
            _editable = editable;
        }

        internal int Count => _count;

        internal BoolValue Get(FlowLocation location)
        {
            var index = IndexOf(location);
            return index >= 0 ? _entries[index].Value : BoolValue.Unknown;
        }

        /// <summary>True when setting <paramref name="location"/> to <paramref name="value"/> would change nothing.</summary>
        internal bool Holds(FlowLocation location, BoolValue value) =>
            IsForgetting(value) ? !HasAnyAtOrBelow(location) : IndexOf(location) is var index && index >= 0 && _entries[index].Value.Equals(value);

        /// <summary>True when some followed place is <paramref name="location"/> or below it.</summary>
        internal bool HasAnyAtOrBelow(FlowLocation location)
        {
            for (var i = 0; i < _count; i++)
            {
                if (location.Contains(_entries[i].Location))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>This state when it is a working copy, otherwise a new working copy of it (see the remarks).</summary>
        internal FlowState Edit()
        {
            if (_editable)
            {
                return this;
            }

            // Room for two more: a block's transfer adds a place or two, and Append grows past that.
            var entries = new Entry[_count + 2];
            Array.Copy(_entries, entries, _count);
            return new FlowState(entries, _count, editable: true);
        }

        /// <summary>Makes a working copy immutable; from now on a change copies it.</summary>
        internal FlowState Publish()
        {
            // Only a working copy is written to: a published state may be read on other threads.
            if (_editable)
            {
                _editable = false;
            }

            return this;
        }

        internal FlowState Set(FlowLocation location, BoolValue value)
        {
            if (IsForgetting(value))
            {
                return Forget(location);
            }

            var index = IndexOf(location);
            if (index >= 0 && _entries[index].Value.Equals(value))
            {
                return this;
            }

            var result = _editable ? this : new FlowState(Copied(_count + (index >= 0 ? 0 : 1)), _count, editable: false);
            if (index >= 0)
            {
                result._entries[index] = new Entry(location, value);
            }
            else
            {
                result.Append(new Entry(location, value));
            }

            return result;
        }

        /// <summary>Forgets the place and everything below it (a call may have changed them).</summary>
        /// <summary>Whether some followed place satisfies <paramref name="predicate"/>.</summary>
        internal bool HasAny(Func<FlowLocation, bool> predicate)
        {
            for (var i = 0; i < _count; i++)
            {
                if (predicate(_entries[i].Location))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Forgets every followed place that satisfies <paramref name="predicate"/>.</summary>
        internal FlowState ForgetWhere(Func<FlowLocation, bool> predicate)
        {
            if (!HasAny(predicate))
            {
                return this;
            }

            var result = _editable ? this : new FlowState(Copied(_count), _count, editable: false);
            var kept = 0;
            for (var i = 0; i < result._count; i++)
            {
                if (!predicate(result._entries[i].Location))
                {
                    result._entries[kept++] = result._entries[i];
                }
            }

            Array.Clear(result._entries, kept, result._count - kept);
            result._count = kept;
            return result;
        }

        internal FlowState Forget(FlowLocation location)
        {
            if (!HasAnyAtOrBelow(location))
            {
                return this;
            }

            var result = _editable ? this : new FlowState(Copied(_count), _count, editable: false);
            var kept = 0;
            for (var i = 0; i < result._count; i++)
            {
                if (!location.Contains(result._entries[i].Location))
                {
                    result._entries[kept++] = result._entries[i];
                }
            }

            Array.Clear(result._entries, kept, result._count - kept);
            result._count = kept;
            return result;
        }

        /// <summary>
        /// Whether any VM's mmu_lock may be held, with where each was taken: the join of every
        /// lock state the path follows (none followed: not held).
        /// </summary>
        internal BoolValue AnyLock()
        {
            var result = BoolValue.False;
            var any = false;
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.IsLockState)
                {
                    result = any ? result.Join(_entries[i].Value) : _entries[i].Value;
                    any = true;
                }
            }

            return result;
        }

        /// <summary>
        /// Some lock is held on this path for certain (what a helper that takes the lock leaves),
        /// and not one the path took again after dropping its caller's.
        /// </summary>
        internal bool SomeLockDefinitelyHeld()
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.IsLockState && _entries[i].Value.IsDefinitelyTrue && !DroppedTheCallers(_entries[i].Location))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A release, in place on a working copy: every lock the path follows is released, but
        /// when <paramref name="variableLock"/> is given (the lock of a plain variable), the locks of
        /// other plain variables are kept (each is its own VM); the caller sets that one's own.
        /// </summary>
        internal FlowState ReleaseLocks(FlowLocation variableLock)
        {
            for (var i = 0; i < _count; i++)
            {
                var location = _entries[i].Location;
                if (location.IsLockState && !_entries[i].Value.Equals(BoolValue.False)
                    && !(variableLock.IsValid && location.Fact == PlaceFact.LockHeld && location.Path.Length == 0 && !location.Equals(variableLock)))
                {
                    _entries[i] = new Entry(location, BoolValue.False);
                }
            }

            return this;
        }

        /// <summary>Whether some zap's result may still owe a TLB flush.</summary>
        internal bool HasAnyOwedFlush()
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.Fact == PlaceFact.FlushOwed && _entries[i].Value.MayBeTrue)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A test found the unknown from <paramref name="origin"/> to be <paramref name="value"/>:
        /// every place holding that unknown, or its negation, holds what that implies
        /// (<c>only_private = !priv</c> is false where <c>priv</c> was found true).
        /// </summary>
        internal FlowState RestrictOrigin(object origin, bool value)
        {
            var result = this;
            for (var i = 0; i < _count; i++)
            {
                var held = _entries[i].Value;
                if (held.IsPureUnknown && Equals(held.Origin, origin))
                {
                    result = result.Set(_entries[i].Location, held.Restrict(value != held.Negated));
                }
            }

            return result;
        }

        /// <summary>Every place holding an unknown from an origin that <paramref name="stale"/> picks holds an unknown of no known origin instead.</summary>
        internal FlowState ForgetOrigins(Func<object, bool> stale)
        {
            // Forgetting removes entries: collect first, then forget.
            List<FlowLocation>? forgotten = null;
            for (var i = 0; i < _count; i++)
            {
                var held = _entries[i].Value;
                if (held.IsPureUnknown && held.Origin is { } origin && stale(origin))
                {
                    (forgotten ??= new List<FlowLocation>()).Add(_entries[i].Location);
                }
            }

            if (forgotten is null)
            {
                return this;
            }

            var result = this;
            foreach (var location in forgotten)
            {
                result = result.Set(location, BoolValue.Unknown);
            }

            return result;
        }

        /// <summary>
        /// A test found the place of <paramref name="test"/> equal to its constant: every place
        /// holding a test of the same place against another constant holds what its failing implies.
        /// </summary>
        internal FlowState RestrictExcludedBy(ComparisonOrigin test)
        {
            var result = this;
            for (var i = 0; i < _count; i++)
            {
                var held = _entries[i].Value;
                if (held.IsPureUnknown && held.Origin is ComparisonOrigin other && other.Excludes(test))
                {
                    result = result.Set(_entries[i].Location, held.Restrict(held.Negated));
                }
            }

            return result;
        }

        /// <summary>A TLB flush, in place on a working copy: no zap's result owes one any more.</summary>
        internal FlowState SettleFlushes()
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.Fact == PlaceFact.FlushOwed && !_entries[i].Value.Equals(BoolValue.False))
                {
                    _entries[i] = new Entry(_entries[i].Location, BoolValue.False);
                }
            }

            return this;
        }

        /// <summary>
        /// The places of which <paramref name="fact"/> may be true, with its value: for
        /// <see cref="PlaceFact.FlushOwed"/>, those whose zap result may still owe a TLB flush, with
        /// the zaps (the value's true-sites).
        /// </summary>
        internal IEnumerable<(FlowLocation Place, BoolValue Value)> PlacesWhere(PlaceFact fact)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.Fact == fact && _entries[i].Value.MayBeTrue)
                {
                    yield return (_entries[i].Location.With(PlaceFact.None), _entries[i].Value);
                }
            }
        }

        /// <summary>
        /// This path dropped <paramref name="lockState"/>'s lock before it took it: the caller's,
        /// held on entry (<see cref="PlaceFact.CallersLockDropped"/>).
        /// </summary>
        internal bool DroppedTheCallers(FlowLocation lockState) =>
            lockState.Fact == PlaceFact.LockHeld && Get(lockState.With(PlaceFact.CallersLockDropped)).IsDefinitelyTrue;

        /// <summary>This path upgraded <paramref name="lockState"/>'s lock (<see cref="PlaceFact.Upgraded"/>).</summary>
        internal bool Upgraded(FlowLocation lockState) => Get(lockState.With(PlaceFact.Upgraded)).IsDefinitelyTrue;

        /// <summary>The lock states the path follows (each VM's, and the lock of no known owner), with their values.</summary>
        internal IEnumerable<(FlowLocation Lock, BoolValue Held)> LockStates()
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.IsLockState)
                {
                    yield return (_entries[i].Location, _entries[i].Value);
                }
            }
        }

        /// <summary>Whether <see cref="ForgetAllButFlags"/> would forget anything at or below <paramref name="location"/>.</summary>
        internal bool HasAnyButFlagsAtOrBelow(FlowLocation location)
        {
            for (var i = 0; i < _count; i++)
            {
                var entry = _entries[i].Location;
                if (location.Contains(entry) && !entry.IsFlag && !entry.IsLockState && entry.Fact is not (PlaceFact.LockGuard or PlaceFact.CallersLockDropped or PlaceFact.Upgraded))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Forgets the place and everything below it but the gfn range flags: what a call the
        /// compilation cannot see into may change (SPEC section 2: only same-compilation helpers'
        /// summaries change flags; a handler that rewrites its range's filter is a bug of its own).
        /// </summary>
        internal FlowState ForgetAllButFlags(FlowLocation location)
        {
            if (!HasAnyButFlagsAtOrBelow(location))
            {
                return this;
            }

            var result = _editable ? this : new FlowState(Copied(_count), _count, editable: false);
            var kept = 0;
            for (var i = 0; i < result._count; i++)
            {
                if (!location.Contains(result._entries[i].Location) || result._entries[i].Location.IsFlag || result._entries[i].Location.IsLockState || result._entries[i].Location.Fact is PlaceFact.LockGuard or PlaceFact.CallersLockDropped or PlaceFact.Upgraded)
                {
                    result._entries[kept++] = result._entries[i];
                }
            }

            Array.Clear(result._entries, kept, result._count - kept);
            result._count = kept;
            return result;
        }

        /// <summary>A struct copy: every place below <paramref name="to"/> takes the value of its twin below <paramref name="from"/>.</summary>
        internal FlowState Copy(FlowLocation from, FlowLocation to)
        {
            if (from.Equals(to) || (!HasAnyAtOrBelow(from) && !HasAnyAtOrBelow(to)))
            {
                return this;
            }

            // Read the source entries before forgetting the target: the target may contain the source.
            Entry[]? copied = null;
            var copiedCount = 0;
            for (var i = 0; i < _count; i++)
            {
                if (from.Contains(_entries[i].Location))
                {
                    copied ??= new Entry[_count];
                    copied[copiedCount++] = new Entry(_entries[i].Location.Rebase(from, to), _entries[i].Value);
                }
            }

            var result = Forget(to);
            if (copied is null)
            {
                return result;
            }

            if (!result._editable)
            {
                result = new FlowState(result.Copied(result._count + copiedCount), result._count, editable: false);
            }

            for (var i = 0; i < copiedCount; i++)
            {
                var index = result.IndexOf(copied[i].Location);
                if (index >= 0)
                {
                    result._entries[index] = copied[i];
                }
                else
                {
                    result.Append(copied[i]);
                }
            }

            return result;
        }

        /// <summary>Where paths meet: each place may hold what either side may hold.</summary>
        internal FlowState Join(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return this;
            }

            var result = new Entry[_count + other._count];
            var count = 0;
            for (var i = 0; i < _count; i++)
            {
                result[count++] = new Entry(_entries[i].Location, _entries[i].Value.Join(other.Get(_entries[i].Location)));
            }

            for (var i = 0; i < other._count; i++)
            {
                if (IndexOf(other._entries[i].Location) < 0)
                {
                    result[count++] = new Entry(other._entries[i].Location, other._entries[i].Value.Join(BoolValue.Unknown));
                }
            }

            return new FlowState(result, count, editable: false);
        }

        /// <summary>
        /// Whether the two agree on every place a rule checks (<see cref="FlowLocation.IsRuleProperty"/>):
        /// the same possibilities, true-sites aside. Paths that agree there may be joined without
        /// a rule seeing the difference (see <see cref="PathStates"/>).
        /// </summary>
        internal bool SamePropertiesAs(FlowState other)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.IsRuleProperty && _entries[i].Value.Possibilities != other.Get(_entries[i].Location).Possibilities)
                {
                    return false;
                }

                // A bool that guards a lock call counts as a rule property: `r.found_memslot &&
                // !range->lockless` says whether the lock is held only while both keep their values.
                if (_entries[i].Location.Fact == PlaceFact.LockGuard)
                {
                    var guarded = _entries[i].Location.With(PlaceFact.None);
                    if (Get(guarded).Possibilities != other.Get(guarded).Possibilities)
                    {
                        return false;
                    }
                }
            }

            for (var i = 0; i < other._count; i++)
            {
                if (other._entries[i].Location.IsRuleProperty && IndexOf(other._entries[i].Location) < 0 && other._entries[i].Value.Possibilities != BoolPossibilities.Unknown)
                {
                    return false;
                }
            }

            return true;
        }

        internal bool SameAs(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (_count != other._count)
            {
                return false;
            }

            for (var i = 0; i < _count; i++)
            {
                var index = other.IndexOf(_entries[i].Location);
                if (index < 0 || !other._entries[index].Value.Equals(_entries[i].Value))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>An unknown value with no true-site is what a missing entry means.</summary>
        private static bool IsForgetting(BoolValue value) => value.Equals(BoolValue.Unknown) && value.TrueSites.IsEmpty;

        private Entry[] Copied(int capacity)
        {
            var entries = new Entry[Math.Max(capacity, _count)];
            Array.Copy(_entries, entries, _count);
            return entries;
        }

        private void Append(Entry entry)
        {
            if (_count == _entries.Length)
            {
                var grown = new Entry[Math.Max(4, _count * 2)];
                Array.Copy(_entries, grown, _count);
                _entries = grown;
            }

            _entries[_count++] = entry;
        }

        private int IndexOf(FlowLocation location)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries[i].Location.Equals(location))
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
