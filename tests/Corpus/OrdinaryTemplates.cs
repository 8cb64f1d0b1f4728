namespace GfnGuard.Corpus;

/// <summary>Ordinary C# with no KVM role: what surrounds a port (parsing, statistics, configuration, I/O shapes).</summary>
internal static class OrdinaryTemplates
{
    internal delegate string Template(int n);

    internal static readonly Template[] All = { ParseConfig, Histogram, RetryLoop, SwitchOnKind, LinqReport, StateMachine, LockedCounter, AsyncPoll };

    /// <summary>How the name of every member these templates declare begins (the method number follows).</summary>
    internal static readonly string[] MemberPrefixes = { "parse_config_", "histogram_", "retry_", "describe_", "report_", "tokens_", "add_", "poll_", "s_gate_", "s_total_" };

    private static string ParseConfig(int n) => $$"""
            public static System.Collections.Generic.Dictionary<string, string> parse_config_{{n}}(string text)
            {
                var result = new System.Collections.Generic.Dictionary<string, string>(System.StringComparer.Ordinal);
                foreach (var raw in text.Split('\n'))
                {
                    var line = raw.Trim();
                    if (line.Length == 0 || line[0] == '#')
                        continue;
                    var eq = line.IndexOf('=');
                    if (eq <= 0)
                        throw new System.FormatException("line without '=': " + line);
                    result[line.Substring(0, eq).Trim()] = line.Substring(eq + 1).Trim();
                }

                return result;
            }

    """;

    private static string Histogram(int n) => $$"""
            public static int[] histogram_{{n}}(System.Collections.Generic.IEnumerable<long> samples, int buckets, long max)
            {
                var counts = new int[buckets];
                foreach (var sample in samples)
                {
                    var bucket = (int)System.Math.Min(buckets - 1, sample * buckets / System.Math.Max(1, max));
                    if (bucket < 0)
                        bucket = 0;
                    counts[bucket]++;
                }

                return counts;
            }

    """;

    private static string RetryLoop(int n) => $$"""
            public static bool retry_{{n}}(System.Func<int, bool> attempt, int tries)
            {
                for (var i = 0; i < tries; i++)
                {
                    try
                    {
                        if (attempt(i))
                            return true;
                    }
                    catch (System.InvalidOperationException) when (i + 1 < tries)
                    {
                        System.Threading.Thread.Sleep(0);
                    }
                }

                return false;
            }

    """;

    private static string SwitchOnKind(int n) => $$"""
            public static string describe_{{n}}(int kind, ulong value) => kind switch
            {
                0 => "none",
                1 when value == 0 => "empty",
                1 => "page " + value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                2 or 3 => "huge page",
                _ => throw new System.ArgumentOutOfRangeException(nameof(kind)),
            };

    """;

    private static string LinqReport(int n) => $$"""
            public static string report_{{n}}(System.Collections.Generic.IReadOnlyList<(string Name, double Value)> rows)
            {
                var top = System.Linq.Enumerable.Take(System.Linq.Enumerable.OrderByDescending(rows, r => r.Value), 5);
                var builder = new System.Text.StringBuilder();
                foreach (var (name, value) in top)
                    builder.Append(name).Append(": ").Append(value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)).AppendLine();
                return builder.ToString();
            }

    """;

    private static string StateMachine(int n) => $$"""
            public static int tokens_{{n}}(string text)
            {
                var count = 0;
                var inWord = false;
                foreach (var c in text)
                {
                    var letter = char.IsLetterOrDigit(c) || c == '_';
                    if (letter && !inWord)
                        count++;
                    inWord = letter;
                }

                return count;
            }

    """;

    private static string LockedCounter(int n) => $$"""
            private static readonly object s_gate_{{n}} = new object();
            private static long s_total_{{n}};

            public static long add_{{n}}(long amount)
            {
                lock (s_gate_{{n}})
                {
                    s_total_{{n}} += amount;
                    return s_total_{{n}};
                }
            }

    """;

    private static string AsyncPoll(int n) => $$"""
            public static async System.Threading.Tasks.Task<int> poll_{{n}}(System.Func<System.Threading.Tasks.Task<bool>> ready, System.Threading.CancellationToken token)
            {
                var polls = 0;
                while (!await ready().ConfigureAwait(false))
                {
                    token.ThrowIfCancellationRequested();
                    polls++;
                    await System.Threading.Tasks.Task.Yield();
                }

                return polls;
            }

    """;
}
