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
        {
            OnlyPrivate = onlyPrivate;
            OnlyShared = onlyShared;
        }

        internal BoolValue? OnlyPrivate { get; }

        internal BoolValue? OnlyShared { get; }

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
