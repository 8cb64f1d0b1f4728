using System.Collections.Generic;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>A throwaway project installs the packed package from a local feed and builds.</summary>
[Collection(PackedCollection.Name)]
public sealed class ConsumerBuildTests(PackedFeed feed)
{
    /// <summary>A port with its own kernel-named range: needs only the analyzers package.</summary>
    private const string PortWithOwnRange = """
        namespace Port;

        public struct kvm_gfn_range
        {
            public ulong start, end;
            public bool only_private;
            public bool only_shared;
        }

        public static class Gmem
        {
            public static kvm_gfn_range Range(ulong start, ulong end)
            {
                kvm_gfn_range range = default;
                range.start = start;
                range.end = end;
                range.only_shared = true;
                range.only_private = true;
                return range;
            }
        }
        """;

    [Fact]
    public void AnalyzersPackage_BuildReportsKvm0001AsAnError()
    {
        var consumer = feed.CreateConsumer("GfnGuard.Analyzers", new Dictionary<string, string> { ["Port.cs"] = PortWithOwnRange });

        var build = consumer.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.True(build.Output.Contains("Port.cs(18,9): error KVM0001", System.StringComparison.Ordinal), build.ToString());
        AssertAnalyzersLoaded(build);
    }

    [Fact]
    public void AnalyzersPackage_SeverityLoweredInEditorConfig_BuildSucceedsWithWarning()
    {
        var consumer = feed.CreateConsumer("GfnGuard.Analyzers", new Dictionary<string, string>
        {
            ["Port.cs"] = PortWithOwnRange,
            [".editorconfig"] = "root = true\n[*.cs]\ndotnet_diagnostic.KVM0001.severity = warning\n",
        });

        var build = consumer.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(build.Output.Contains("warning KVM0001", System.StringComparison.Ordinal), build.ToString());
        AssertAnalyzersLoaded(build);
    }

    [Fact]
    public void RuntimePackage_BringsTheAnalyzers()
    {
        var consumer = feed.CreateConsumer("GfnGuard.Runtime", new Dictionary<string, string>
        {
            ["Model.cs"] = """
                using GfnGuard.Runtime;

                public static class Model
                {
                    public static KvmGfnRange Both() => new KvmGfnRange { OnlyPrivate = true, OnlyShared = true };
                }
                """,
        });

        var build = consumer.Build();

        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.True(build.Output.Contains("error KVM0001", System.StringComparison.Ordinal), build.ToString());
        AssertAnalyzersLoaded(build);
    }

    /// <summary>
    /// A .NET 9+ port whose mmu_lock is a System.Threading.Lock. With nullable annotations on (this
    /// project's default), the compiler gives its <c>lock</c> statement no lowering at all (an invalid
    /// operation, then the body, no finally), and Lock's own Enter/Exit are no Monitor calls: each
    /// is the lock all the same, taken and dropped where the statement's body is entered and left.
    /// </summary>
    [Fact]
    public void LockObjectPort_ItsLockStatementAndEnterExit_TakeAndDropTheLock()
    {
        var consumer = feed.CreateConsumer("GfnGuard.Analyzers", new Dictionary<string, string>
        {
            [".editorconfig"] = "root = true\n[*.cs]\ndotnet_diagnostic.KVM0003.severity = warning\ndotnet_diagnostic.KVM0006.severity = warning\ndotnet_diagnostic.KVM0007.severity = warning\n",
            ["Port.cs"] = """
                using System.Threading;

                public sealed class Vm { public readonly Lock MmuLock = new(); }
                public struct kvm_gfn_range { public ulong start, end; public bool only_private, only_shared; }

                public static class Mmu
                {
                    static void kvm_arch_guest_memory_reclaimed(Vm kvm) { }
                    static bool kvm_unmap_gfn_range(Vm kvm, ref kvm_gfn_range range) => true;
                    static void kvm_flush_remote_tlbs(Vm kvm) { }

                    public static int Balanced(Vm vm, kvm_gfn_range range, int n)
                    {
                        var found = 0;
                        for (var i = 0; i < n; i++)
                        {
                            lock (vm.MmuLock)
                            {
                                if (i == 3) break;
                                if (i == 2) continue;
                                if (kvm_unmap_gfn_range(vm, ref range))
                                    kvm_flush_remote_tlbs(vm);
                                found++;
                            }
                        }

                        kvm_arch_guest_memory_reclaimed(vm);
                        vm.MmuLock.Enter();
                        vm.MmuLock.Exit();
                        return found;
                    }

                    public static void ReclaimInside(Vm vm, bool early)
                    {
                        lock (vm.MmuLock)
                        {
                            if (early) return;
                            kvm_arch_guest_memory_reclaimed(vm);
                        }
                    }

                    public static void FlushAfter(Vm vm, kvm_gfn_range range)
                    {
                        bool flush;
                        lock (vm.MmuLock)
                        {
                            flush = kvm_unmap_gfn_range(vm, ref range);
                        }

                        if (flush) kvm_flush_remote_tlbs(vm);
                    }

                    public static void KeptOnOnePath(Vm vm, bool early)
                    {
                        vm.MmuLock.Enter();
                        if (early) return;
                        vm.MmuLock.Exit();
                    }
                }
                """,
        });

        var build = consumer.Build();

        Assert.True(build.ExitCode == 0, build.ToString());
        var reported = System.Linq.Enumerable.ToList(System.Linq.Enumerable.Distinct(System.Linq.Enumerable.Select(
            System.Text.RegularExpressions.Regex.Matches(build.Output, @"Port\.cs\((\d+),(\d+)\): warning (KVM\d{4})"),
            match => match.Groups[3].Value + "@" + match.Groups[1].Value)));
        reported.Sort(System.StringComparer.Ordinal);
        Assert.Equal(new[] { "KVM0003@38", "KVM0006@48", "KVM0007@56" }, reported);
        AssertAnalyzersLoaded(build);
    }

    private static void AssertAnalyzersLoaded(DotNet.Result build)
    {
        // CS8032: analyzer cannot be created; CS9057: built against a newer compiler; AD0001: analyzer threw.
        Assert.DoesNotContain("CS8032", build.Output);
        Assert.DoesNotContain("CS9057", build.Output);
        Assert.DoesNotContain("AD0001", build.Output);
    }
}
