using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a release helper flushes for before each release it makes: every zap result its caller
    /// owes a flush for (<see cref="All"/>), or those passed for the bool parameters at <see cref="Parameters"/>.
    /// </summary>
    internal readonly struct FlushBeforeRelease
    {
        internal static readonly FlushBeforeRelease None = new FlushBeforeRelease(false, ImmutableArray<int>.Empty);

        internal FlushBeforeRelease(bool all, ImmutableArray<int> parameters)
        {
            All = all;
            Parameters = parameters;
        }

        internal bool All { get; }

        internal ImmutableArray<int> Parameters { get; }

        internal bool IsNone => !All && Parameters.IsDefaultOrEmpty;
    }
}
