namespace GfnGuard.Analyzers.Flow
{
    /// <summary>What a bool helper's true and false results say of the flags of one range it tests (null: nothing).</summary>
    internal readonly struct RangeTest
    {
        internal RangeTest(int ordinal, (bool? OnlyPrivate, bool? OnlyShared) whenTrue, (bool? OnlyPrivate, bool? OnlyShared) whenFalse)
        {
            Ordinal = ordinal;
            WhenTrue = whenTrue;
            WhenFalse = whenFalse;
        }

        /// <summary>The range's parameter, or -1 for <c>this</c>.</summary>
        internal int Ordinal { get; }

        internal (bool? OnlyPrivate, bool? OnlyShared) WhenTrue { get; }

        internal (bool? OnlyPrivate, bool? OnlyShared) WhenFalse { get; }

        internal bool IsNone => WhenTrue.OnlyPrivate is null && WhenTrue.OnlyShared is null && WhenFalse.OnlyPrivate is null && WhenFalse.OnlyShared is null;
    }
}
