using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace GfnGuard.Runtime.Tests;

/// <summary>docs/runtime.md's quick start, run as written: the fenced C# block is this test's code.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public void TheQuickStart_RunsAsDocumented()
    {
        var machine = new Machine(cpuCount: 4);
        var mm = new HostAddressSpace(machine);
        var kvm = new Kvm(machine, KvmVmType.Snp, mm);

        const ulong Pages = 64;
        var hva = mm.Mmap(Pages * KvmMemorySlot.PageSize);
        var gmem = kvm.CreateGuestMemfd(Pages * KvmMemorySlot.PageSize);
        kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(Slot: 0, BaseGfn: 0, PageCount: Pages, UserspaceAddress: hva, Flags: MemslotFlags.GuestMemfd, GuestMemfd: gmem));

        var vcpu = kvm.CreateVcpu(cpu: 0);
        vcpu.Write(gfn: 1, value: 0xAA);
        kvm.SetMemoryAttributes(start: 8, end: 16, isPrivate: true);
        vcpu.Write(gfn: 9, value: 0xBB, isPrivate: true);
        gmem.PunchHole(offset: 8 * KvmMemorySlot.PageSize, length: 8 * KvmMemorySlot.PageSize);

        Assert.Equal(2, kvm.Stats.Faults);
        Assert.Equal(1, kvm.Stats.ZappedPrivateSptes);
        Assert.Equal(0, kvm.Lockdep.Total);
    }

    [Fact]
    public void TheDocumentsQuickStart_IsTheCodeThisTestRuns()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "runtime.md"));
        var block = Regex.Match(doc, "## Quick start\\s+```csharp\\n(?<code>.*?)```", RegexOptions.Singleline).Groups["code"].Value;
        var test = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Runtime.Tests", "QuickStartTests.cs"));

        var statements = block.Split('\n').Select(line => Regex.Replace(line, "\\s*//.*$", string.Empty).Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("using ", System.StringComparison.Ordinal) && !line.StartsWith("Console.", System.StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, statement => Assert.Contains(statement, test, System.StringComparison.Ordinal));
    }

    [Fact]
    public void TheReadmesQuickStart_RunsAsWritten()
    {
        var machine = new Machine(cpuCount: 4);
        var mm = new HostAddressSpace(machine);
        var kvm = new Kvm(machine, KvmVmType.Snp, mm);
        var hva = mm.Mmap(64 * KvmMemorySlot.PageSize);
        var gmem = kvm.CreateGuestMemfd(64 * KvmMemorySlot.PageSize);
        kvm.SetUserMemoryRegion(new KvmUserspaceMemoryRegion(Slot: 0, BaseGfn: 0, PageCount: 64, UserspaceAddress: hva, Flags: MemslotFlags.GuestMemfd, GuestMemfd: gmem));
        var vcpu = kvm.CreateVcpu(cpu: 0);
        vcpu.Write(gfn: 1, value: 0xAA);
        kvm.SetMemoryAttributes(start: 8, end: 16, isPrivate: true);
        vcpu.Write(gfn: 9, value: 0xBB, isPrivate: true);
        gmem.PunchHole(offset: 8 * KvmMemorySlot.PageSize, length: 8 * KvmMemorySlot.PageSize);

        Assert.Equal(2, kvm.Stats.Faults);
        Assert.Equal(0, kvm.Lockdep.Total);

        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var block = Regex.Match(readme, "A quick start .*?```csharp\n(?<code>.*?)```", RegexOptions.Singleline).Groups["code"].Value;
        var test = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Runtime.Tests", "QuickStartTests.cs"));
        var statements = block.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith("Console.", System.StringComparison.Ordinal)).ToList();
        Assert.True(statements.Count >= 10, block);
        Assert.All(statements, statement => Assert.Contains(statement, test, System.StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(System.AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Analyzers.sln not found above the test's directory");
    }
}
