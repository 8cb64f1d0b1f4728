using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>What a path may hold in a boolean: a set of possibilities.</summary>
    [Flags]
    internal enum BoolPossibilities : byte
    {
        /// <summary>No path reaches here (bottom).</summary>
        None = 0,

        /// <summary>Some path sets it false.</summary>
        False = 1,

        /// <summary>Some path sets it true.</summary>
        True = 2,

        /// <summary>Some path gives it a value the analysis cannot see (a parameter, a call).</summary>
        Unknown = 4,
    }

    /// <summary>
    /// The abstract value of a boolean (a local, or a gfn range flag): the set of values paths
    /// may give it, joined by union. <see cref="TrueSites"/> remembers where a flag was made
    /// true, so a rule can point at it and a code fix can change it.
    /// </summary>
    internal readonly struct BoolValue : IEquatable<BoolValue>
    {
        /// <summary>More true-sites than this are not worth pointing at one by one.</summary>
        private const int MaxSites = 8;

        internal static readonly BoolValue Unknown = new BoolValue(BoolPossibilities.Unknown, ImmutableArray<SyntaxNode>.Empty);
        internal static readonly BoolValue False = new BoolValue(BoolPossibilities.False, ImmutableArray<SyntaxNode>.Empty);
        internal static readonly BoolValue True = new BoolValue(BoolPossibilities.True, ImmutableArray<SyntaxNode>.Empty);

        private readonly ImmutableArray<SyntaxNode> _trueSites;

        private BoolValue(BoolPossibilities possibilities, ImmutableArray<SyntaxNode> trueSites)
        {
            Possibilities = possibilities;
            _trueSites = trueSites;
        }

        internal BoolPossibilities Possibilities { get; }

        /// <summary>Where the value was made true (for flags), at most <see cref="MaxSites"/>.</summary>
        internal ImmutableArray<SyntaxNode> TrueSites => _trueSites.IsDefault ? ImmutableArray<SyntaxNode>.Empty : _trueSites;

        /// <summary>Some path gives it true.</summary>
        internal bool MayBeTrue => (Possibilities & BoolPossibilities.True) != 0;

        /// <summary>Every path gives it true.</summary>
        internal bool IsDefinitelyTrue => Possibilities == BoolPossibilities.True;

        /// <summary>Every path gives it false.</summary>
        internal bool IsDefinitelyFalse => Possibilities == BoolPossibilities.False;

        internal static BoolValue FromConstant(bool value) => value ? True : False;

        /// <summary>The same possibilities with no true-sites (what a summary carries to a call site).</summary>
        internal BoolValue WithoutSites() => new BoolValue(Possibilities, ImmutableArray<SyntaxNode>.Empty);

        /// <summary>This value, stored at <paramref name="site"/>: the site becomes its only true-site.</summary>
        internal BoolValue StoredAt(SyntaxNode site) =>
            MayBeTrue ? new BoolValue(Possibilities, ImmutableArray.Create(site)) : new BoolValue(Possibilities, ImmutableArray<SyntaxNode>.Empty);

        /// <summary>
        /// This value on a path where a test found it to be <paramref name="value"/>: an unknown
        /// value becomes that value, a contradiction becomes bottom (the path cannot happen).
        /// </summary>
        internal BoolValue Restrict(bool value)
        {
            var wanted = value ? BoolPossibilities.True : BoolPossibilities.False;
            var possible = (Possibilities & (wanted | BoolPossibilities.Unknown)) != 0 ? wanted : BoolPossibilities.None;
            return new BoolValue(possible, value ? TrueSites : ImmutableArray<SyntaxNode>.Empty);
        }

        internal BoolValue Negate()
        {
            var result = Possibilities & BoolPossibilities.Unknown;
            if ((Possibilities & BoolPossibilities.True) != 0)
            {
                result |= BoolPossibilities.False;
            }

            if ((Possibilities & BoolPossibilities.False) != 0)
            {
                result |= BoolPossibilities.True;
            }

            return new BoolValue(result, ImmutableArray<SyntaxNode>.Empty);
        }

        internal BoolValue Join(BoolValue other)
        {
            if (other.Possibilities == BoolPossibilities.None)
            {
                return this;
            }

            if (Possibilities == BoolPossibilities.None)
            {
                return other;
            }

            var sites = TrueSites;
            foreach (var site in other.TrueSites)
            {
                if (sites.Length >= MaxSites)
                {
                    break;
                }

                if (!sites.Contains(site))
                {
                    sites = sites.Add(site);
                }
            }

            return new BoolValue(Possibilities | other.Possibilities, sites);
        }

        public bool Equals(BoolValue other)
        {
            if (Possibilities != other.Possibilities || TrueSites.Length != other.TrueSites.Length)
            {
                return false;
            }

            foreach (var site in TrueSites)
            {
                if (!other.TrueSites.Contains(site))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is BoolValue other && Equals(other);

        public override int GetHashCode() => ((int)Possibilities * 31) + TrueSites.Length;

        public override string ToString() => Possibilities.ToString();
    }
}
