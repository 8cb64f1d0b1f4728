using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>
/// Every command the README and docs/ give is run by a test or by CI: the user's build, SARIF
/// and format commands here, on a consumer of the packed runtime, word for word; the rest by
/// the test or job named beside it. A command added to the docs fails the first test until it
/// is said where it runs.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed partial class DocumentedCommandsTests(PackedFeed feed)
{
    /// <summary>Where each documented command runs: a pattern over the command, and the test or job.</summary>
    private static readonly (Regex Command, string RunBy)[] Coverage =
    {
        (new Regex("^dotnet run --project Samples/Demo/Demo\\.csproj$"), "SampleTests.Demo_ShowsWhatEachContractBuys (and the README's first command)"),
        (new Regex("^dotnet test Analyzers\\.sln$"), ".ci/run"),
        (new Regex("^dotnet build -warnaserror"), "this class: TheUsersCommands_DoWhatTheReadmeSays"),
        (new Regex("^dotnet build -p:ErrorLog="), "this class: TheUsersCommands_DoWhatTheReadmeSays"),
        (new Regex("^dotnet format analyzers --diagnostics"), "this class: TheUsersCommands_DoWhatTheReadmeSays"),
        (new Regex("^GFNGUARD_FUZZ_MUTANTS=\\d+ dotnet test tests/Analyzers\\.Tests --filter FullyQualifiedName~FuzzTests$"), "FuzzTests in CI with the default mutant count (the long run only raises it)"),
        (new Regex("^GFNGUARD_STRESS_SECONDS=\\d+ dotnet test tests/Runtime\\.Tests --filter WholeModelStress$"), "WholeModelStressTests in CI for 1.5 s per VM type (the long run only raises it)"),
        (new Regex("^dotnet tool install --global csharp-ls$"), "LanguageServerTests (installs the same tool into a folder of its own)"),
        (new Regex("^dotnet run -c Release --project tests/Benchmarks -- "), "a benchmark: minutes per run, not for CI; tests/Benchmarks builds in CI as part of Analyzers.sln"),
        (new Regex("^GFNGUARD_PROFILE_ONLY=[A-Za-z,]+ dotnet run -c Release --project tests/Benchmarks -- --analyzer-profile "), "the same benchmark with some rules only: not for CI"),
        (new Regex("^\\.\\./shared/realcode/measure\\.sh$"), "the real-code measurement beside the repository (two builds of Serilog): a benchmark, not for CI"),
    };

    [Fact]
    public void EveryDocumentedCommand_IsRunByATestOrByCi()
    {
        var commands = DocumentedCommands().ToList();

        Assert.True(commands.Count >= 10, string.Join("\n", commands));
        var unaccounted = commands.Where(c => !Coverage.Any(k => k.Command.IsMatch(c.Command))).Select(c => c.File + ": " + c.Command).ToList();
        Assert.True(unaccounted.Count == 0, "documented commands no test or job runs:\n" + string.Join("\n", unaccounted));
    }

    [Fact]
    public void TheUsersCommands_DoWhatTheReadmeSays()
    {
        var readme = DocumentedCommands().Where(c => c.File == "README.md").Select(c => c.Command).ToList();
        var warnAsError = readme.Single(c => c == "dotnet build -warnaserror --no-incremental");
        var onlyOurs = readme.Single(c => c.StartsWith("dotnet build -warnaserror:", StringComparison.Ordinal));
        var sarif21 = readme.Single(c => c.EndsWith("%2Cversion=2.1", StringComparison.Ordinal));
        var sarif10 = readme.Single(c => c == "dotnet build -p:ErrorLog=gfnguard.sarif");
        var format = readme.Single(c => c.StartsWith("dotnet format analyzers", StringComparison.Ordinal));

        var consumer = feed.CreateConsumer("GfnGuard.Runtime", new Dictionary<string, string>
        {
            ["HvaNotifierPort.cs"] = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Samples", "BuggyPort", "HvaNotifierPort.cs")),
            [".editorconfig"] = "root = true\n[*.cs]\n" + string.Concat(Enumerable.Range(1, 7).Select(i => $"dotnet_diagnostic.KVM000{i}.severity = warning\n")),
        });

        // The rules lowered to warnings: both -warnaserror forms break the build on them.
        foreach (var command in new[] { warnAsError, onlyOurs })
        {
            var build = Run(consumer, command);
            Assert.True(build.ExitCode != 0, command + "\n" + build);
            Assert.Contains("error KVM0003", build.Output, StringComparison.Ordinal);
        }

        // SARIF: 2.1 with the version suffix, 1.0 without it.
        foreach (var (command, version) in new[] { (sarif21, "2.1.0"), (sarif10, "1.0.0") })
        {
            var path = Path.Combine(consumer.Directory, "gfnguard.sarif");
            File.Delete(path);
            var build = Run(consumer, command + " --no-incremental");
            Assert.True(build.ExitCode == 0, command + "\n" + build);
            Assert.Contains($"\"version\": \"{version}\"", File.ReadAllText(path), StringComparison.Ordinal);
        }

        // dotnet format fixes them all; then the strict build passes.
        var formatted = Run(consumer, format + " --severity warn");
        Assert.True(formatted.ExitCode == 0, format + "\n" + formatted);
        var strict = Run(consumer, warnAsError);
        Assert.True(strict.ExitCode == 0, strict.ToString());
    }

    private static DotNet.Result Run(Consumer consumer, string command) =>
        consumer.Dotnet(command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray());

    /// <summary>Every command line of every sh block in the README and docs/ (comments and prompts stripped).</summary>
    private static IEnumerable<(string File, string Command)> DocumentedCommands()
    {
        var files = new[] { Path.Combine(RepositoryPaths.Root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/');
            foreach (Match block in ShellBlock().Matches(File.ReadAllText(file)))
            {
                foreach (var line in block.Groups["body"].Value.Split('\n'))
                {
                    var command = Regex.Replace(line, "\\s+#.*$", string.Empty).Trim();
                    if (command.Length > 0 && !command.StartsWith('#'))
                    {
                        yield return (relative, command);
                    }
                }
            }
        }
    }

    [GeneratedRegex("```(?:sh|bash|shell)\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
