namespace GfnGuard.Analyzers.Roles
{
    /// <summary>The two filter flags of a gfn range.</summary>
    internal enum FlagKind
    {
        OnlyPrivate,
        OnlyShared,
    }

    internal static class FlagKindExtensions
    {
        internal static FlagKind Other(this FlagKind flag) =>
            flag == FlagKind.OnlyPrivate ? FlagKind.OnlyShared : FlagKind.OnlyPrivate;

        /// <summary>The name shown in messages (the C# spelling of the runtime).</summary>
        internal static string DisplayName(this FlagKind flag) =>
            flag == FlagKind.OnlyPrivate ? "OnlyPrivate" : "OnlyShared";
    }
}
