using System.Collections.Generic;
using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A helper's two flags (or a filter's two bits) at the end of each path, with the bool
    /// parameters the path decided, kept index by index and each distinct triple once: what
    /// becomes a <see cref="FlagEffect"/> a call binds path by path.
    /// </summary>
    internal sealed class PathFlags
    {
        private readonly List<BoolValue> _private = new List<BoolValue>();
        private readonly List<BoolValue> _shared = new List<BoolValue>();
        private readonly List<ImmutableArray<(int Ordinal, bool Value)>> _decided = new List<ImmutableArray<(int Ordinal, bool Value)>>();

        internal int Count => _private.Count;

        internal void Add(BoolValue onlyPrivate, BoolValue onlyShared, ImmutableArray<(int Ordinal, bool Value)> decided)
        {
            for (var i = 0; i < _private.Count; i++)
            {
                if (_private[i].Equals(onlyPrivate) && _shared[i].Equals(onlyShared) && DecidedParameters.SameDecisions(_decided[i], decided))
                {
                    return;
                }
            }

            _private.Add(onlyPrivate);
            _shared.Add(onlyShared);
            _decided.Add(decided);
        }

        /// <summary>The joined flags (null for one the helper left alone: not touched) and, past one path, each path's.</summary>
        internal FlagEffect ToEffect(bool privateTouched = true, bool sharedTouched = true)
        {
            var onlyPrivate = privateTouched ? Joined(_private) : (BoolValue?)null;
            var onlyShared = sharedTouched ? Joined(_shared) : (BoolValue?)null;
            if (_private.Count < 2)
            {
                return new FlagEffect(onlyPrivate, onlyShared);
            }

            var anyDecided = false;
            foreach (var decided in _decided)
            {
                anyDecided |= !decided.IsEmpty;
            }

            return new FlagEffect(onlyPrivate, onlyShared, _private.ToImmutableArray(), _shared.ToImmutableArray(), anyDecided ? _decided.ToImmutableArray() : default);
        }

        private static BoolValue Joined(List<BoolValue> values)
        {
            var joined = values[0];
            for (var i = 1; i < values.Count; i++)
            {
                joined = joined.Join(values[i]);
            }

            return joined;
        }
    }
}
