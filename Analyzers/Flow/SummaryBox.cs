namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A summary that may be null ("none"), as a cache entry: a concurrent dictionary cannot tell
    /// a cached null from a missing one without it.
    /// </summary>
    internal sealed class SummaryBox<T>
        where T : class
    {
        internal static readonly SummaryBox<T> None = new SummaryBox<T>(null);

        internal SummaryBox(T? value)
        {
            Value = value;
        }

        internal T? Value { get; }
    }
}
