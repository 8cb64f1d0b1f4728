using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GfnGuard.Corpus;

namespace GfnGuard.Benchmarks;

/// <summary>
/// Issue 19's dense-code goals, measured the way measure.sh measures real code: a generated
/// port of about 80,000 lines where nearly every method is kernel-shaped (95% with a role), built
/// with <c>-p:ReportAnalyzer=true</c> in two ways: with the SDK's default analyzers, and with
/// every NetAnalyzers rule on (<c>-p:AnalysisMode=All</c>), where binding is shared with them.
/// Prints, per build and as medians with their spread, the Csc task's time, GfnGuard's
/// reported time and share, and NetAnalyzers' reported time.
/// Run with <c>dotnet run -c Release --project tests/Benchmarks -- --dense-share [builds] [lines]</c>.
/// </summary>
internal static partial class DenseCorpusShare
{
    internal static void Run(string[] args)
    {
        var builds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var lines = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 80_000;
        var analyzerDll = typeof(GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer).Assembly.Location;
        var directory = Path.Combine(Path.GetTempPath(), "gfnguard-dense-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = CorpusGenerator.WriteTo(directory, new CorpusOptions(lines, KvmShare: 0.95, BugShare: 0));
            AnalyzerBuildCost.WriteCorpusProject(directory, analyzerDll);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Dense corpus: {written:N0} lines, 95% of methods with a role; {builds} measured builds per mode after a warm-up."));
            Console.WriteLine();
            Console.WriteLine("| Mode | Csc (s), per build | GfnGuard (s) | GfnGuard's share of Csc | NetAnalyzers (s) | GfnGuard / NetAnalyzers |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var (mode, extra) in new[] { ("SDK default analyzers", Array.Empty<string>()), ("AnalysisMode=All", new[] { "-p:AnalysisMode=All" }) })
            {
                var csc = new List<double>();
                var ours = new List<double>();
                var theirs = new List<double>();
                for (var build = 0; build <= builds; build++)
                {
                    var output = AnalyzerBuildCost.DotNet(directory, new[] { "build", "--no-restore", "--no-incremental", "-p:ReportAnalyzer=true", "-v:d", "-clp:PerformanceSummary" }.Concat(extra).ToArray());
                    if (build == 0)
                    {
                        continue; // warm-up: the compiler server starts and loads the analyzers
                    }

                    csc.Add(double.Parse(AnalyzerBuildCost.CscTime().Match(output).Groups[1].Value, CultureInfo.InvariantCulture) / 1000);
                    ours.Add(double.Parse(AnalyzerBuildCost.GfnGuardTime().Match(output).Groups[1].Value, CultureInfo.InvariantCulture));
                    theirs.Add(NetAnalyzersTime().Matches(output).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
                }

                var shares = csc.Select((total, i) => 100 * ours[i] / total).ToList();
                var ratios = theirs.Select((net, i) => net > 0 ? ours[i] / net : double.NaN).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {mode} | {Each(csc, "F2")} | {Each(ours, "F3")} | {Each(shares, "F1")} (median {AnalyzerBuildCost.Median(shares.ToList()):F1}%) | {Each(theirs, "F3")} | {Each(ratios, "F2")} |"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Each(List<double> values, string format) =>
        string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    // "   1.234   12   Microsoft.CodeAnalysis.CSharp.NetAnalyzers, Version=..." and the language-neutral assembly.
    [GeneratedRegex(@"^\s*(?:[^:\n]*:\s*)?([\d.]+)\s+\S+\s+Microsoft\.CodeAnalysis\.(?:CSharp\.)?NetAnalyzers, Version", RegexOptions.Multiline)]
    private static partial Regex NetAnalyzersTime();
}
