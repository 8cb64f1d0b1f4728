using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GfnGuard.Corpus;

namespace GfnGuard.Benchmarks;

/// <summary>
/// GfnGuard's share of real build time. Generates corpora of three sizes and builds each
/// several times with <c>-p:ReportAnalyzer=true</c>, alternating with builds that leave
/// GfnGuard out. The corpus keeps the SDK's default analyzers on, as a real project does, so
/// the analyzer driver runs in both builds and the difference is GfnGuard's own work. Reports the medians of the compiler task's time with and without GfnGuard
/// (the difference is what GfnGuard costs a build; the analyzers run concurrently with the
/// compiler, so this is less than their summed time) and of the analyzer time the compiler
/// reports for GfnGuard. Builds use the compiler server, as <c>dotnet build</c> does by default.
/// Run with <c>dotnet run -c Release --project tests/Benchmarks -- --analyzer-cost [runs]</c>.
/// ReportAnalyzer sums each analyzer callback's wall time; callbacks run concurrently, so on a
/// busy 2-core machine that sum counts time a callback waited for a core.
/// </summary>
internal static partial class AnalyzerBuildCost
{
    private const int Runs = 5;

    internal static void Run(string[] args)
    {
        var runs = args.Length > 1 && int.TryParse(args[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : Runs;
        var analyzerDll = typeof(GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer).Assembly.Location;
        Console.WriteLine($"Analyzers: {analyzerDll}; {runs} measured builds per corpus after one warm-up, medians.");
        Console.WriteLine();
        Console.WriteLine("| Corpus | Lines | Csc without GfnGuard (ms) | Csc with GfnGuard (ms) | Added | GfnGuard as ReportAnalyzer reports it (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");

        var results = new List<(string Kind, int Lines, double Without, double With, double Reported)>();
        foreach (var (kind, share) in new[] { ("KVM port (70% of methods with a role)", 0.7), ("ordinary C# (no KVM role)", 0.0) })
        {
            foreach (var lines in new[] { 25_000, 50_000, 100_000 })
            {
                var (without, with, reported, actualLines) = Measure(new CorpusOptions(lines, share, BugShare: 0), analyzerDll, runs);
                results.Add((kind, actualLines, without, with, reported));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {kind} | {actualLines:N0} | {without:F0} | {with:F0} | {100 * (with - without) / without:F1}% | {reported:F0} |"));
            }
        }

        Console.WriteLine();
        foreach (var group in results.GroupBy(r => r.Kind))
        {
            var small = group.First();
            var large = group.Last();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key}: {(double)large.Lines / small.Lines:F2}x the code; GfnGuard's reported time {large.Reported / small.Reported:F2}x, the compiler's {large.Without / small.Without:F2}x."));
        }
    }

    private static (double Without, double With, double Reported, int Lines) Measure(CorpusOptions options, string analyzerDll, int runs)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gfnguard-cost-" + Guid.NewGuid().ToString("N"));
        try
        {
            var lines = CorpusGenerator.WriteTo(directory, options);
            WriteCorpusProject(directory, analyzerDll);
            var without = new List<double>();
            var with = new List<double>();
            var reported = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                // Plain builds for the wall-clock comparison: ReportAnalyzer and detailed logging
                // slow the compiler down, so they get builds of their own below.
                var on = DotNet(directory, "build", "--no-restore", "--no-incremental", "-clp:PerformanceSummary");
                var off = DotNet(directory, "build", "--no-restore", "--no-incremental", "-p:GfnGuardOff=true", "-clp:PerformanceSummary");
                if (run == 0)
                {
                    continue; // warm-up: starts the compiler server, loads GfnGuard into it, fills the disk cache
                }

                with.Add(double.Parse(CscTime().Match(on).Groups[1].Value, CultureInfo.InvariantCulture));
                without.Add(double.Parse(CscTime().Match(off).Groups[1].Value, CultureInfo.InvariantCulture));
            }

            for (var run = 0; run < 3; run++)
            {
                var report = DotNet(directory, "build", "--no-restore", "--no-incremental", "-p:ReportAnalyzer=true", "-v:d");
                reported.Add(1000 * double.Parse(GfnGuardTime().Match(report).Groups[1].Value, CultureInfo.InvariantCulture));
            }

            return (Median(without), Median(with), Median(reported), lines);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Writes the project that builds a corpus written to <paramref name="directory"/> with GfnGuard
    /// injected (left out with <c>-p:GfnGuardOff=true</c>), as a real project would, and restores it.
    /// </summary>
    internal static void WriteCorpusProject(string directory, string analyzerDll)
    {
        File.WriteAllText(Path.Combine(directory, "Corpus.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>disable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <UseSharedCompilation>true</UseSharedCompilation>
              </PropertyGroup>
              <ItemGroup Condition="'$(GfnGuardOff)' != 'true'">
                <Analyzer Include="{analyzerDll}" />
              </ItemGroup>
            </Project>
            """);
        DotNet(directory, "restore");
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    internal static string DotNet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        // The default for dotnet build; some CI images turn it off with this variable.
        start.Environment.Remove("UseSharedCompilation");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        }

        return output;
    }

    // "      812 ms  Csc                                        1 calls"
    [GeneratedRegex(@"^\s*(\d+) ms\s+Csc\s+\d+ calls", RegexOptions.Multiline)]
    internal static partial Regex CscTime();

    // "   0.123    5   GfnGuard.Analyzers, Version=0.1.0.0, ..."
    [GeneratedRegex(@"^\s*(?:[^:\n]*:\s*)?([\d.]+)\s+\S+\s+GfnGuard\.Analyzers, Version", RegexOptions.Multiline)]
    internal static partial Regex GfnGuardTime();
}
