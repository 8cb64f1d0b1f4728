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
        private readonly object? _origin;
        private readonly bool _negated;

        private BoolValue(BoolPossibilities possibilities, ImmutableArray<SyntaxNode> trueSites, object? origin = null, bool negated = false)
        {
            Possibilities = possibilities;
            _trueSites = trueSites;
            _origin = possibilities == BoolPossibilities.Unknown ? origin : null;
            _negated = _origin is not null && negated;
        }

        internal BoolPossibilities Possibilities { get; }

        /// <summary>
        /// For a value the analysis cannot see: where it comes from, so that two reads of one
        /// unknown can be told apart from two independent ones (<c>x</c> and <c>!x</c> exclude each
        /// other, <c>p</c> and <c>s</c> do not). A place (a parameter, a flag of one, a member of
        /// <c>this</c>: followed into the callers) or the syntax that stored an unknown value.
        /// </summary>
        internal object? Origin => _origin;

        /// <summary>The value is the negation of its <see cref="Origin"/>.</summary>
        internal bool Negated => _negated;

        /// <summary>Only a value the analysis cannot see reaches here.</summary>
        internal bool IsPureUnknown => Possibilities == BoolPossibilities.Unknown;

        /// <summary>Some path gives it true, or a value the analysis cannot see (which may be true).</summary>
        internal bool MayBeTrueOrUnknown => (Possibilities & (BoolPossibilities.True | BoolPossibilities.Unknown)) != 0;

        /// <summary>The origin of unknowns stored in this method from more than one place (paths that joined): no longer one value.</summary>
        internal static readonly object MixedOrigin = new object();

        /// <summary>
        /// The origin of a filter a guest_memfd file gives (<c>kvm_gmem_get_invalidate_filter</c>,
        /// [GmemInvalidateFilter]): not known here, but the file's own, which KVM0005 accepts.
        /// </summary>
        internal static readonly object FileFilterOrigin = new object();

        /// <summary>An unknown value read from <paramref name="origin"/>.</summary>
        internal static BoolValue UnknownFrom(object origin) => new BoolValue(BoolPossibilities.Unknown, ImmutableArray<SyntaxNode>.Empty, origin);

        /// <summary>This value, or for an unknown of no known origin, the same unknown from <paramref name="origin"/>.</summary>
        internal BoolValue OrFrom(object origin) => IsPureUnknown && _origin is null ? UnknownFrom(origin) : this;

        /// <summary>
        /// Two values that cannot both be true: one unknown and its negation, or two tests of one
        /// place against different constants (<c>filter == Shared</c>, <c>filter == Private</c>).
        /// </summary>
        internal bool Excludes(BoolValue other)
        {
            if (_origin is null || _origin == MixedOrigin || !IsPureUnknown || !other.IsPureUnknown)
            {
                return false;
            }

            if (Equals(_origin, other._origin))
            {
                return _negated != other._negated;
            }

            return !_negated && !other._negated && _origin is ComparisonOrigin mine && other._origin is ComparisonOrigin theirs && mine.Excludes(theirs);
        }

        /// <summary>
        /// An unknown the method's callers give (read from its own parameter, a flag of one, or a
        /// member of <c>this</c>): followed into the callers rather than assumed here.
        /// </summary>
        internal bool ComesFromTheCallers =>
            !MayBeTrue && _origin is FlowLocation place && (ReferenceEquals(place.Root, FlowLocation.ThisRoot) || place.Root is IParameterSymbol);

        /// <summary>
        /// For a value that <see cref="ComesFromTheCallers"/>: the function whose callers give it
        /// (the parameter's, which may be a lambda or local function), or <paramref name="method"/>
        /// for <c>this</c>.
        /// </summary>
        internal IMethodSymbol GivenBy(IMethodSymbol method) =>
            _origin is FlowLocation place && place.Root is IParameterSymbol { ContainingSymbol: IMethodSymbol function } ? function : method;

        /// <summary>Two reads of one unknown, the same way up: both true together or neither.</summary>
        internal bool SameUnknownAs(BoolValue other) =>
            _origin is not null && _origin != MixedOrigin && IsPureUnknown && other.IsPureUnknown && Equals(_origin, other._origin) && _negated == other._negated;

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
        internal BoolValue WithoutSites() => new BoolValue(Possibilities, ImmutableArray<SyntaxNode>.Empty, _origin, _negated);

        /// <summary>This value, stored at <paramref name="site"/>: the site becomes its only true-site (where it may be true, or is unknown).</summary>
        internal BoolValue StoredAt(SyntaxNode site) =>
            MayBeTrueOrUnknown ? new BoolValue(Possibilities, ImmutableArray.Create(site), _origin, _negated) : new BoolValue(Possibilities, ImmutableArray<SyntaxNode>.Empty);

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

            return new BoolValue(result, ImmutableArray<SyntaxNode>.Empty, _origin, !_negated);
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

            // Two stored unknowns that differ stay a stored unknown (MixedOrigin), not one never set.
            var sameOrigin = _origin is not null && Equals(_origin, other._origin) && _negated == other._negated;
            var origin = sameOrigin ? _origin : _origin is not null && other._origin is not null ? MixedOrigin : null;
            return new BoolValue(Possibilities | other.Possibilities, sites, origin, sameOrigin && _negated);
        }

        public bool Equals(BoolValue other)
        {
            if (Possibilities != other.Possibilities || TrueSites.Length != other.TrueSites.Length
                || !Equals(_origin, other._origin) || _negated != other._negated)
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

    /// <summary>What a <see cref="ComparisonOrigin"/> tests of its place.</summary>
    internal enum ConstantTestKind : byte
    {
        /// <summary><c>place == constant</c> (and <c>place is constant</c>).</summary>
        Equals,

        /// <summary><c>(place &amp; mask) != 0</c> (and <c>place.HasFlag(bit)</c>): any bit of the mask is set.</summary>
        AnyBit,

        /// <summary>
        /// <c>place &lt; constant</c> of an integer: <c>x &lt;= c</c> is <c>x &lt; c + 1</c>, and
        /// <c>x &gt;= c</c>, <c>x &gt; c</c> are the negations, so a test and its complement are one value.
        /// </summary>
        LessThan,
    }

    /// <summary>
    /// The origin of a test of one place against a constant (see <see cref="ConstantTestKind"/>).
    /// Two equality tests of one place against different constants cannot both hold; one test
    /// read twice is one value, whichever way round it is written.
    /// </summary>
    internal sealed class ComparisonOrigin
    {
        internal ComparisonOrigin(FlowLocation place, object constant, ConstantTestKind kind)
        {
            Place = place;
            Constant = constant;
            Kind = kind;
        }

        internal FlowLocation Place { get; }

        /// <summary>The constant compared with (an integer constant as a long, whatever its type), or the mask.</summary>
        internal object Constant { get; }

        internal ConstantTestKind Kind { get; }

        /// <summary>Where a path that has tested this keeps what it found (true or false).</summary>
        internal FlowLocation Outcome => new FlowLocation(this, string.Empty);

        /// <summary>This test and <paramref name="other"/> cannot both be true: one place, two different constants it equals.</summary>
        internal bool Excludes(ComparisonOrigin other) =>
            Kind == ConstantTestKind.Equals && other.Kind == ConstantTestKind.Equals && Place.Equals(other.Place) && !Equals(Constant, other.Constant);

        public override bool Equals(object? obj) =>
            obj is ComparisonOrigin other && Kind == other.Kind && Place.Equals(other.Place) && Equals(Constant, other.Constant);

        public override int GetHashCode() => Place.GetHashCode() ^ (Constant?.GetHashCode() ?? 0) ^ ((int)Kind * 0x5bd1e995);
    }
}
