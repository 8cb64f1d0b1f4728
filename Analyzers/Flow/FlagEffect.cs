using System.Collections.Immutable;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a helper does to one gfn range it gets by ref/out (or as <c>this</c>): per flag,
    /// left alone (null) or the value it leaves there on every path.
    /// </summary>
    internal sealed class FlagEffect
    {
        internal FlagEffect(BoolValue? onlyPrivate, BoolValue? onlyShared)
            : this(onlyPrivate, onlyShared, default, default, default)
        {
        }

        internal FlagEffect(BoolValue? onlyPrivate, BoolValue? onlyShared, ImmutableArray<BoolValue> privateByPath, ImmutableArray<BoolValue> sharedByPath, ImmutableArray<ImmutableArray<(int Ordinal, bool Value)>> decidedByPath)
        {
            OnlyPrivate = onlyPrivate;
            OnlyShared = onlyShared;
            OnlyPrivateByPath = privateByPath;
            OnlySharedByPath = sharedByPath;
            DecidedByPath = decidedByPath;
        }

        internal BoolValue? OnlyPrivate { get; }

        internal BoolValue? OnlyShared { get; }

        /// <summary>
        /// The flag's value at the end of each path the helper's exit keeps apart (default when
        /// unknown). A call binds each to its arguments before joining them: joined first, "as the
        /// caller gave it" on one path and "the parameter" on another is one unknown no call can bind.
        /// </summary>
        internal ImmutableArray<BoolValue> OnlyPrivateByPath { get; }

        /// <summary>As <see cref="OnlyPrivateByPath"/>, for OnlyShared.</summary>
        internal ImmutableArray<BoolValue> OnlySharedByPath { get; }

        /// <summary>
        /// When not default, the bool parameters each path decided (see <see cref="DecidedParameters"/>),
        /// index by index with both by-path arrays: a call skips a path its arguments rule out.
        /// </summary>
        internal ImmutableArray<ImmutableArray<(int Ordinal, bool Value)>> DecidedByPath { get; }

        internal bool IsNone => OnlyPrivate is null && OnlyShared is null;
    }

    /// <summary>A helper's effects on every range it can change.</summary>
    internal sealed class FlagEffects
    {
        private readonly FlagEffect?[] _parameters;

        internal FlagEffects(FlagEffect?[] parameters, FlagEffect? forThis)
        {
            _parameters = parameters;
            ForThis = forThis;
        }

        internal FlagEffect? ForThis { get; }

        internal FlagEffect? ForParameter(int ordinal) => ordinal < _parameters.Length ? _parameters[ordinal] : null;
    }
}
