using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A storage place the analysis follows: a root (a local, a parameter, a flow capture,
    /// <c>this</c>, or a static field) and a path of member names below it, e.g.
    /// <c>range</c>, <c>range.OnlyShared</c>, <c>this.gfn_range.only_private</c>.
    /// Struct copies copy every place below the root; a flag is the last step of a path.
    /// </summary>
    internal readonly struct FlowLocation : IEquatable<FlowLocation>
    {
        /// <summary>The root for <c>this</c> (the containing instance).</summary>
        internal static readonly object ThisRoot = new object();

        internal FlowLocation(object root, string path)
            : this(root, path, PlaceFact.None)
        {
        }

        private FlowLocation(object root, string path, PlaceFact fact)
        {
            Root = root;
            Path = path;
            Fact = fact;
        }

        /// <summary>An <see cref="ISymbol"/>, a boxed <see cref="CaptureId"/>, or <see cref="ThisRoot"/>.</summary>
        internal object Root { get; }

        /// <summary>Member names joined by '.', empty for the root itself.</summary>
        internal string Path { get; }

        /// <summary>A fact about the place at <see cref="Path"/> rather than the place itself, or <see cref="PlaceFact.None"/>.</summary>
        internal PlaceFact Fact { get; }

        internal bool IsValid => Root is not null;

        /// <summary>A gfn range flag (only_private or only_shared) of the range at <see cref="Path"/>.</summary>
        internal bool IsFlag => Fact is PlaceFact.OnlyPrivate or PlaceFact.OnlyShared;

        /// <summary>
        /// A place a rule checks, by which path states are kept apart however many there are
        /// (<see cref="PathStates"/>): the lock, a lock guard, a range flag, a kept zap result's debt.
        /// Everything else may be joined. A discarded zap's debt (kept at the call's own place) is
        /// no property: paths that flushed for it and paths that did not are joined, so that KVM0006
        /// can tell where no path flushed (see <see cref="PlaceFact.FlushMayHaveRun"/>).
        /// </summary>
        internal bool IsRuleProperty => IsFlag || IsLockState || Fact is PlaceFact.Guard or PlaceFact.TryLockTaken || (Fact == PlaceFact.FlushOwed && Root is not IOperation);

        /// <summary>Where a lock's state is kept: an instance's (<see cref="PlaceFact.LockHeld"/>) or the lock of no known owner.</summary>
        internal bool IsLockState => Fact == PlaceFact.LockHeld || ReferenceEquals(Root, MmuLockRoot);

        /// <summary>The root of the place where the analysis keeps whether mmu_lock is held.</summary>
        internal static readonly object MmuLockRoot = new NamedRoot("mmu_lock");

        internal static FlowLocation ForSymbol(ISymbol symbol) => new FlowLocation(symbol, string.Empty);

        internal static FlowLocation ForCapture(CaptureId id) => new FlowLocation(BoxedCapture(id), string.Empty);

        // A capture root boxed once per id value and shared, rather than boxed at every read of
        // the capture. A box still compares by value (Equals), so a box of another graph's id of
        // the same value is the same root, as before.
        private static readonly object?[] s_captureBoxes = new object?[256];

        private static object BoxedCapture(CaptureId id)
        {
            var index = id.GetHashCode();
            if ((uint)index >= (uint)s_captureBoxes.Length)
            {
                return id;
            }

            // A race boxes the id twice; either box is a correct root.
            var box = s_captureBoxes[index];
            if (box is CaptureId cached && cached.Equals(id))
            {
                return box;
            }

            box = id;
            s_captureBoxes[index] = box;
            return box;
        }

        internal FlowLocation Member(string name) =>
            new FlowLocation(Root, Path.Length == 0 ? name : Path + "." + name);

        /// <summary>Where <paramref name="fact"/> about this place is kept.</summary>
        internal FlowLocation With(PlaceFact fact) => new FlowLocation(Root, Path, fact);

        /// <summary>Where the range at this place keeps <paramref name="flag"/> (the same for only_private and OnlyPrivate).</summary>
        internal FlowLocation Flag(Roles.FlagKind flag) => With(flag == Roles.FlagKind.OnlyPrivate ? PlaceFact.OnlyPrivate : PlaceFact.OnlyShared);

        /// <summary>True when <paramref name="other"/> is this place, a fact about it, or a place (or fact) below it.</summary>
        internal bool Contains(FlowLocation other)
        {
            if (!RootEquals(Root, other.Root))
            {
                return false;
            }

            if (Fact != PlaceFact.None)
            {
                return other.Fact == Fact && other.Path == Path;
            }

            return Path.Length == 0
                || other.Path == Path
                || (other.Path.Length > Path.Length && other.Path.StartsWith(Path, StringComparison.Ordinal) && other.Path[Path.Length] == '.');
        }

        /// <summary>Re-roots a place below <paramref name="from"/> to the same place below <paramref name="to"/>.</summary>
        internal FlowLocation Rebase(FlowLocation from, FlowLocation to)
        {
            var suffix = Path.Substring(from.Path.Length);
            if (to.Path.Length == 0 && suffix.StartsWith(".", StringComparison.Ordinal))
            {
                suffix = suffix.Substring(1);
            }
            else if (to.Path.Length > 0 && suffix.Length > 0 && !suffix.StartsWith(".", StringComparison.Ordinal))
            {
                suffix = "." + suffix;
            }

            return new FlowLocation(to.Root, to.Path + suffix, Fact);
        }

        public bool Equals(FlowLocation other) => Fact == other.Fact && RootEquals(Root, other.Root) && Path == other.Path;

        public override bool Equals(object? obj) => obj is FlowLocation other && Equals(other);

        public override int GetHashCode()
        {
            var rootHash = Root is ISymbol symbol ? SymbolEqualityComparer.Default.GetHashCode(symbol) : Root?.GetHashCode() ?? 0;
            return (((rootHash * 397) ^ StringComparer.Ordinal.GetHashCode(Path)) * 31) + (int)Fact;
        }

        public override string ToString() =>
            (Root is ISymbol symbol ? symbol.Name : Root?.ToString()) + (Path.Length > 0 ? "." + Path : string.Empty) + (Fact != PlaceFact.None ? "#" + Fact : string.Empty);

        internal static bool RootEquals(object? a, object? b) =>
            ReferenceEquals(a, b) || (a is ISymbol sa ? b is ISymbol sb && SymbolEqualityComparer.Default.Equals(sa, sb) : Equals(a, b));
    }

    /// <summary>A root that is no symbol, named for debugging.</summary>
    internal sealed class NamedRoot
    {
        private readonly string _name;

        internal NamedRoot(string name)
        {
            _name = name;
        }

        public override string ToString() => _name;
    }
}
