namespace BuggyPort.Records
{
    /// <summary>A port that models the range as a positional record, marked for the analyzers.</summary>
    [GfnGuard.Runtime.GfnRange]
    public sealed record ZapRequest(ulong Start, ulong End, bool OnlyPrivate = false, bool OnlyShared = false);

    public static class Conversions
    {
        /// <summary>KVM0001 through a with expression: a shared-only request made private-only too.</summary>
        public static ZapRequest SharedThenPrivate(ulong start, ulong end) =>
            new ZapRequest(start, end, OnlyShared: true) with { OnlyPrivate = true };
    }
}
