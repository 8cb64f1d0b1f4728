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
        var format = DotNet.Run(_root, null, "format", "analyzers", project, "--diagnostics", "KVM0001", "KVM0002", "KVM0003", "KVM0004", "KVM0005", "KVM0006", "KVM0007");
        var after = DotNet.Run(_root, null, "build", project, "-nologo", "--no-incremental");

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Equal(new[] { "KVM0001", "KVM0002", "KVM0003", "KVM0004", "KVM0005", "KVM0006", "KVM0007" }, warningsBefore);
        Assert.True(format.ExitCode == 0, format.ToString());
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Empty(WarningIds(after.Output));
    }

    [Fact]
    public void CleanPort_BuildsWithNoDiagnostic_AndTheSamePortWithReclaimUnderTheLockBreaksTheBuild()
    {
        var project = Path.Combine("Samples", "CleanPort", "CleanPort.csproj");
        var clean = DotNet.Run(_root, null, "build", project, "-nologo", "--no-incremental");

        // Move the reclaim of kvm_mmu_notifier_invalidate_range_start before the unlock of
        // __kvm_handle_hva_range: the analyzers run on this project with warnings as errors.
        var source = Path.Combine(_root, "Samples", "CleanPort", "KvmMainNotifier.cs");
        var text = File.ReadAllText(source);
        const string Unlock = "                kvm.MmuLock.WriteUnlock();";
        Assert.Contains(Unlock, text, System.StringComparison.Ordinal);
        File.WriteAllText(source, text.Replace(Unlock, "                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);\n" + Unlock, System.StringComparison.Ordinal));
        var broken = DotNet.Run(_root, null, "build", project, "-nologo", "--no-incremental");

        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(WarningIds(clean.Output));
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("error KVM0003", broken.Output, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_ShowsWhatEachContractBuys()
    {
        var run = DotNet.Run(_root, null, "run", "--project", Path.Combine("Samples", "Demo", "Demo.csproj"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = DemoRow().Matches(run.Output).ToDictionary(m => m.Groups["vm"].Value + " " + m.Groups["port"].Value, m => m);
        Assert.Equal(5, rows.Count);

        // KVM0003: SEV pays the same WBINVDs either way; the buggy port pays them under mmu_lock.
        Assert.Equal(Field(rows["Sev clean"], "wbinvd"), Field(rows["Sev buggy"], "wbinvd"));
        Assert.True(Field(rows["Sev clean"], "wbinvd") > 0);
        Assert.True(Field(rows["Sev buggy"], "held") > 100 * Field(rows["Sev clean"], "held"), run.Output);

        // KVM0002: only the buggy port's HVA events reach SNP's private SPTEs.
        Assert.Equal(0, Field(rows["Snp clean"], "hva"));
        Assert.True(Field(rows["Snp buggy"], "hva") > 0, run.Output);
        Assert.True(Field(rows["Snp buggy"], "faults") > Field(rows["Snp clean"], "faults"), run.Output);
        Assert.Equal(0, Field(rows["Snp clean"], "wbinvd"));

        // KVM0005: only the buggy guest_memfd port leaves private SPTEs on punched pages, and the
        // guest then writes into the freed frames; SEV has no guest_memfd, so no punch-hole phase.
        Assert.Equal(0, Field(rows["Snp clean"], "stale") + Field(rows["Snp clean"], "freed"));
        Assert.True(Field(rows["Snp buggy"], "stale") > 0, run.Output);
        Assert.True(Field(rows["Snp buggy"], "freed") > 0, run.Output);
        Assert.Equal(0, Field(rows["Sev buggy"], "stale"));

        // KVM0006 / KVM0007: only the lock-discipline port leaves stale TLB entries at an unlock
        // and returns holding mmu_lock.
        Assert.True(Field(rows["Sev lock"], "tlb_unlock") > 0, run.Output);
        Assert.True(Field(rows["Sev lock"], "held_return") > 0, run.Output);
        Assert.All(new[] { "Sev clean", "Snp clean", "Sev buggy", "Snp buggy" }, key => Assert.Equal(0, Field(rows[key], "tlb_unlock") + Field(rows[key], "held_return")));

        // Lockdep stays silent on the clean port, catches the buggy one, and no run loses data.
        Assert.Equal(0, Field(rows["Sev clean"], "lockdep") + Field(rows["Snp clean"], "lockdep"));
        Assert.True(Field(rows["Sev buggy"], "lockdep") > 0 && Field(rows["Snp buggy"], "lockdep") > 0);
        Assert.All(rows.Values, row => Assert.Equal(0, Field(row, "lost")));
    }

    private static double Field(Match row, string name) => double.Parse(row.Groups[name].Value.Replace(",", "", System.StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<vm>Sev|Snp)\s+(?<port>clean|buggy|lock)\s+(?<faults>[\d,]+)\s+(?<shared>[\d,]+)\s+(?<private>[\d,]+)\s+(?<hva>[\d,]+)\s+(?<tlb>[\d,]+)\s+(?<wbinvd>[\d,]+)\s+(?<cycles>[\d.]+)\s+(?<held>[\d.]+)\s+(?<stale>[\d,]+)\s+(?<freed>[\d,]+)\s+(?<tlb_unlock>[\d,]+)\s+(?<held_return>[\d,]+)\s+(?<lockdep>[\d,]+)\s+(?<lost>[\d,]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex DemoRow();

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
