using System.Collections.Generic;
using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The abstract state on one program point: what each followed place may hold.
    /// Immutable; a place with no entry is <see cref="BoolValue.Unknown"/>.
    /// </summary>
    internal sealed class FlowState
    {
        internal static readonly FlowState Empty = new FlowState(ImmutableDictionary<FlowLocation, BoolValue>.Empty);

        private readonly ImmutableDictionary<FlowLocation, BoolValue> _values;

        private FlowState(ImmutableDictionary<FlowLocation, BoolValue> values)
        {
            _values = values;
        }

        internal int Count => _values.Count;

        internal BoolValue Get(FlowLocation location) =>
            _values.TryGetValue(location, out var value) ? value : BoolValue.Unknown;

        internal FlowState Set(FlowLocation location, BoolValue value) =>
            value.Equals(BoolValue.Unknown) && value.TrueSites.IsEmpty
                ? Forget(location)
                : new FlowState(_values.SetItem(location, value));

        /// <summary>Forgets the place and everything below it (a call may have changed them).</summary>
        internal FlowState Forget(FlowLocation location)
        {
            List<FlowLocation>? remove = null;
            foreach (var key in _values.Keys)
            {
                if (location.Contains(key))
                {
                    (remove ??= new List<FlowLocation>()).Add(key);
                }
            }

            return remove is null ? this : new FlowState(_values.RemoveRange(remove));
        }

        /// <summary>A struct copy: every place below <paramref name="to"/> takes the value of its twin below <paramref name="from"/>.</summary>
        internal FlowState Copy(FlowLocation from, FlowLocation to)
        {
            if (from.Equals(to))
            {
                return this;
            }

            var result = Forget(to)._values.ToBuilder();
            foreach (var pair in _values)
            {
                if (from.Contains(pair.Key))
                {
                    result[pair.Key.Rebase(from, to)] = pair.Value;
                }
            }

            return new FlowState(result.ToImmutable());
        }

        /// <summary>Where paths meet: each place may hold what either side may hold.</summary>
        internal FlowState Join(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return this;
            }

            var builder = ImmutableDictionary.CreateBuilder<FlowLocation, BoolValue>();
            foreach (var pair in _values)
            {
                builder[pair.Key] = pair.Value.Join(other.Get(pair.Key));
            }

            foreach (var pair in other._values)
            {
                if (!_values.ContainsKey(pair.Key))
                {
                    builder[pair.Key] = pair.Value.Join(BoolValue.Unknown);
                }
            }

            return new FlowState(builder.ToImmutable());
        }

        internal bool SameAs(FlowState other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (_values.Count != other._values.Count)
            {
                return false;
            }

            foreach (var pair in _values)
            {
                if (!other._values.TryGetValue(pair.Key, out var value) || !value.Equals(pair.Value))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
