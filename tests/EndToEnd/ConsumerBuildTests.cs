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

    private static void AssertAnalyzersLoaded(DotNet.Result build)
    {
        // CS8032: analyzer cannot be created; CS9057: built against a newer compiler; AD0001: analyzer threw.
        Assert.DoesNotContain("CS8032", build.Output);
        Assert.DoesNotContain("CS9057", build.Output);
        Assert.DoesNotContain("AD0001", build.Output);
    }
}
