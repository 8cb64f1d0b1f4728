using System.Collections.Generic;
using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The abstract state at a program point as a small set of path states (a disjunction),
    /// so values set together stay together: after
    /// <c>if (!locked) { locked = true; KVM_MMU_LOCK(kvm); }</c> one path has both true and the
    /// other both false, and <c>if (locked) KVM_MMU_UNLOCK(kvm);</c> unlocks exactly the path
    /// that locked. Past <see cref="MaxPaths"/> distinct paths the set does not collapse into one
    /// join: as in ESP (Das, Lerner and Seigle, PLDI 2002), paths are joined only with paths that
    /// agree on what the rules check (the lock, a lock guard, each range flag: see
    /// <see cref="FlowLocation.IsRuleProperty"/>), so a boolean set together with taking the lock
    /// stays with the lock however many unrelated conditions pile up; only when even those
    /// groups pass <see cref="MaxGroups"/> is everything joined.
    /// </summary>
    internal sealed class PathStates
    {
        internal const int MaxPaths = 8;

        /// <summary>How many groups of paths that differ in what the rules check are kept apart.</summary>
        internal const int MaxGroups = 32;

        private PathStates(ImmutableArray<FlowState> paths)
        {
            Paths = paths;
        }

        internal ImmutableArray<FlowState> Paths { get; }

        internal static PathStates Of(FlowState state) => new PathStates(ImmutableArray.Create(state));

        /// <summary>
        /// The paths of <paramref name="states"/>; <paramref name="unchanged"/> itself when they are
        /// its own paths, the same objects in the same order (a block that changed nothing on any
        /// path: most blocks), so no set is made for them.
        /// </summary>
        internal static PathStates? Of(List<FlowState> states, PathStates unchanged)
        {
            if (states.Count == unchanged.Paths.Length)
            {
                var same = true;
                for (var i = 0; i < states.Count && same; i++)
                {
                    same = ReferenceEquals(states[i], unchanged.Paths[i]);
                }

                if (same)
                {
                    return unchanged;
                }
            }

            return Of(states);
        }

        internal static PathStates? Of(List<FlowState> states)
        {
            // The common case: one path in, one path out.
            if (states.Count == 1)
            {
                return new PathStates(ImmutableArray.Create(states[0]));
            }

            var builder = ImmutableArray.CreateBuilder<FlowState>(states.Count);
            foreach (var state in states)
            {
                AddDistinct(builder, state);
            }

            return builder.Count == 0 ? null : Bounded(builder);
        }

        /// <summary>The paths of both; this very set when <paramref name="other"/> adds none (the usual case once a loop settles).</summary>
        internal PathStates Join(PathStates other)
        {
            if (ReferenceEquals(this, other) || IsSupersetOf(other))
            {
                return this;
            }

            var builder = ImmutableArray.CreateBuilder<FlowState>(Paths.Length + other.Paths.Length);
            builder.AddRange(Paths);
            foreach (var state in other.Paths)
            {
                AddDistinct(builder, state);
            }

            return Bounded(builder);
        }

        /// <summary>Every path of the set is also a path of <paramref name="other"/> (so joining adds nothing).</summary>
        internal bool SameAs(PathStates other)
        {
            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (Paths.Length != other.Paths.Length)
            {
                return false;
            }

            foreach (var state in Paths)
            {
                if (!Contains(other.Paths, state))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>All paths joined into one state.</summary>
        internal FlowState Merged()
        {
            var result = Paths[0];
            for (var i = 1; i < Paths.Length; i++)
            {
                result = result.Join(Paths[i]);
            }

            return result;
        }

        private bool IsSupersetOf(PathStates other)
        {
            foreach (var state in other.Paths)
            {
                if (!Contains(Paths, state))
                {
                    return false;
                }
            }

            return true;
        }

        private static PathStates Bounded(ImmutableArray<FlowState>.Builder builder)
        {
            if (builder.Count <= MaxPaths)
            {
                return new PathStates(builder.Count == builder.Capacity ? builder.MoveToImmutable() : builder.ToImmutable());
            }

            // Join each path into the group of paths that agree with it on every rule property.
            var groups = new List<FlowState>();
            for (var i = 0; i < builder.Count; i++)
            {
                var state = builder[i];
                var joined = false;
                for (var g = 0; g < groups.Count; g++)
                {
                    if (groups[g].SamePropertiesAs(state))
                    {
                        groups[g] = groups[g].Join(state);
                        joined = true;
                        break;
                    }
                }

                if (!joined)
                {
                    groups.Add(state);
                }
            }

            if (groups.Count > MaxGroups)
            {
                var merged = groups[0];
                for (var i = 1; i < groups.Count; i++)
                {
                    merged = merged.Join(groups[i]);
                }

                return new PathStates(ImmutableArray.Create(merged));
            }

            var result = ImmutableArray.CreateBuilder<FlowState>(groups.Count);
            foreach (var group in groups)
            {
                AddDistinct(result, group);
            }

            return new PathStates(result.Count == result.Capacity ? result.MoveToImmutable() : result.ToImmutable());
        }

        private static void AddDistinct(ImmutableArray<FlowState>.Builder builder, FlowState state)
        {
            // Indexed: a builder's enumerator is an iterator object.
            for (var i = 0; i < builder.Count; i++)
            {
                if (builder[i].SameAs(state))
                {
                    return;
                }
            }

            builder.Add(state);
        }

        private static bool Contains(ImmutableArray<FlowState> states, FlowState state)
        {
            foreach (var existing in states)
            {
                if (existing.SameAs(state))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
