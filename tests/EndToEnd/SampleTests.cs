using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>The samples as the repository builds them (analyzers from source), on a copy of the tree.</summary>
public sealed partial class SampleTests : System.IDisposable
{
    private static readonly string[] SourceEntries =
    {
        "Analyzers", "CodeFixes", "Runtime", "Samples",
        "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json",
    };

    private readonly string _root = RepositoryPaths.NewTempDirectory("gfnguard-samples");

    public SampleTests()
    {
        foreach (var entry in SourceEntries)
        {
            PackedFeed.CopyEntry(Path.Combine(RepositoryPaths.Root, entry), Path.Combine(_root, entry));
        }
    }

    [Fact]
    public void BuggyPort_BreaksEveryRule_HasNoOtherWarning_AndDotnetFormatFixesItAll()
    {
        var project = Path.Combine("Samples", "BuggyPort", "BuggyPort.csproj");

        var before = DotNet.Run(_root, null, "build", project, "-nologo", "--no-incremental");
        var warningsBefore = WarningIds(before.Output);
        var format = DotNet.Run(_root, null, "format", "analyzers", project, "--diagnostics", "KVM0001", "KVM0002", "KVM0003");
        var after = DotNet.Run(_root, null, "build", project, "-nologo", "--no-incremental");

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Equal(new[] { "KVM0001", "KVM0002", "KVM0003" }, warningsBefore);
        Assert.True(format.ExitCode == 0, format.ToString());
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Empty(WarningIds(after.Output));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The distinct ids of the compiler and analyzer warnings in a build log.</summary>
    private static List<string> WarningIds(string output) =>
        WarningPattern().Matches(output).Select(m => m.Groups[1].Value).Distinct().OrderBy(id => id, System.StringComparer.Ordinal).ToList();

    [GeneratedRegex(@": warning ([A-Z]+[0-9]+):")]
    private static partial Regex WarningPattern();
}
