using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>
/// What a team does in its first ten minutes: reference the runtime package only, build a port
/// with the usual bugs, break CI on them, export SARIF, fix them from the command line.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed class UserPathTests(PackedFeed feed)
{
    /// <summary>The buggy sample's HVA walk: KVM0002 and KVM0003, on the runtime's types.</summary>
    private static readonly string HvaNotifierPort = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Samples", "BuggyPort", "HvaNotifierPort.cs"));

    /// <summary>The buggy sample's guest_memfd range and invalidation: KVM0001 and KVM0005.</summary>
    private static readonly string GuestMemfdInvalidate = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Samples", "BuggyPort", "GuestMemfdInvalidate.cs"));

    private static readonly string[] Rules = { "KVM0001", "KVM0002", "KVM0003", "KVM0005" };

    [Fact]
    public void RuntimeOnly_DefaultSeverities_BuildFailsWithEveryRule()
    {
        var consumer = CreatePort(editorConfig: null);

        var build = consumer.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        foreach (var rule in Rules)
        {
            Assert.True(build.Output.Contains("error " + rule, System.StringComparison.Ordinal), rule + " missing:\n" + build);
        }
    }

    [Fact]
    public void SeveritiesLoweredToWarning_BuildPasses_AndWarnAsErrorBreaksIt()
    {
        var consumer = CreatePort(WarningEditorConfig);

        var relaxed = consumer.Build();
        var strict = consumer.Build("-warnaserror", "--no-incremental");

        Assert.True(relaxed.ExitCode == 0, relaxed.ToString());
        Assert.Contains("warning KVM0003", relaxed.Output);
        Assert.True(strict.ExitCode != 0, strict.ToString());
        Assert.Contains("error KVM0003", strict.Output);
    }

    [Fact]
    public void ErrorLog_WritesSarifThatNamesTheRules()
    {
        var consumer = CreatePort(WarningEditorConfig);
        var sarifPath = Path.Combine(consumer.Directory, "gfnguard.sarif");

        var build = consumer.Build("-p:ErrorLog=" + sarifPath + "%2Cversion=2.1");

        Assert.True(build.ExitCode == 0, build.ToString());
        using var sarif = JsonDocument.Parse(File.ReadAllText(sarifPath));
        var run = sarif.RootElement.GetProperty("runs")[0];
        var ruleIds = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
            .Select(rule => rule.GetProperty("id").GetString()).ToList();
        var resultIds = run.GetProperty("results").EnumerateArray().Select(result => result.GetProperty("ruleId").GetString()).ToList();
        foreach (var rule in Rules)
        {
            Assert.Contains(rule, ruleIds);
            Assert.Contains(rule, resultIds);
        }

        var kvm0003 = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "KVM0003");
        Assert.EndsWith("docs/rules/KVM0003.md", kvm0003.GetProperty("helpUri").GetString());
    }

    [Fact]
    public void DotnetFormatAnalyzers_FixesEveryRule_AndTheRebuildIsClean()
    {
        var consumer = CreatePort(WarningEditorConfig);

        var format = consumer.FormatAnalyzers(Rules);
        var rebuild = consumer.Build("-warnaserror", "--no-incremental");

        Assert.True(format.ExitCode == 0, format.ToString());
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.DoesNotContain("KVM000", rebuild.Output);
        var fixedPort = consumer.Read("HvaNotifierPort.cs");
        Assert.Contains("OnlyShared = true", fixedPort);
        Assert.True(
            fixedPort.IndexOf("kvm.MmuLock.WriteUnlock();", System.StringComparison.Ordinal) < fixedPort.IndexOf("KvmArch.kvm_arch_guest_memory_reclaimed(kvm);", System.StringComparison.Ordinal),
            fixedPort);
    }

    private const string WarningEditorConfig = """
        root = true
        [*.cs]
        dotnet_diagnostic.KVM0001.severity = warning
        dotnet_diagnostic.KVM0002.severity = warning
        dotnet_diagnostic.KVM0003.severity = warning
        dotnet_diagnostic.KVM0005.severity = warning
        """;

    private Consumer CreatePort(string? editorConfig)
    {
        var files = new Dictionary<string, string>
        {
            ["HvaNotifierPort.cs"] = HvaNotifierPort,
            ["GuestMemfdInvalidate.cs"] = GuestMemfdInvalidate,
        };
        if (editorConfig is not null)
        {
            files[".editorconfig"] = editorConfig;
        }

        return feed.CreateConsumer("GfnGuard.Runtime", files);
    }
}
