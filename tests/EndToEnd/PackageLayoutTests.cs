using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>What is inside the two packages.</summary>
[Collection(PackedCollection.Name)]
public sealed class PackageLayoutTests(PackedFeed feed)
{
    [Fact]
    public void AnalyzersPackage_HasBothAssembliesUnderAnalyzersDotnetCs_AndNoLib()
    {
        var entries = Entries(feed.AnalyzersPackage);

        Assert.Contains("analyzers/dotnet/cs/GfnGuard.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/GfnGuard.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", System.StringComparison.Ordinal));
    }

    [Fact]
    public void AnalyzersPackage_IsADevelopmentDependencyWithReadmeAndLicense_AndNoDependencies()
    {
        var metadata = Metadata(feed.AnalyzersPackage);

        Assert.Equal("GfnGuard.Analyzers", Value(metadata, "id"));
        Assert.Equal("true", Value(metadata, "developmentDependency"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Empty(metadata.Elements().Where(e => e.Name.LocalName == "dependencies").SelectMany(d => d.Descendants()));
    }

    [Fact]
    public void RuntimePackage_HasTheModelInLib_AndDependsOnTheAnalyzersWithAnalyzersIncluded()
    {
        var entries = Entries(feed.RuntimePackage);
        Assert.Contains("lib/net8.0/GfnGuard.Runtime.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", System.StringComparison.Ordinal));

        var dependency = Metadata(feed.RuntimePackage).Descendants().Single(e => e.Name.LocalName == "dependency");
        Assert.Equal("GfnGuard.Analyzers", dependency.Attribute("id")?.Value);
        Assert.Equal(feed.Version, dependency.Attribute("version")?.Value);
        var exclude = dependency.Attribute("exclude")?.Value ?? string.Empty;
        Assert.DoesNotContain("Analyzers", exclude, System.StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every rule the analyzers report, by its descriptor: the packages must name each.</summary>
    private static readonly string[] RuleIds = System.Text.RegularExpressions.Regex
        .Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Analyzers", "DiagnosticIds.cs")), "\"(KVM[0-9]{4})\"")
        .Select(m => m.Groups[1].Value)
        .ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachPackage_NamesEveryRule_InItsDescriptionAndReadme_AndHasAnIconTagsAndReleaseNotes(bool analyzers)
    {
        var package = analyzers ? feed.AnalyzersPackage : feed.RuntimePackage;
        var metadata = Metadata(package);
        var readme = Text(package, "README.md");

        Assert.True(RuleIds.Length >= 9, string.Join(", ", RuleIds));
        foreach (var id in RuleIds)
        {
            Assert.Contains(id, readme, System.StringComparison.Ordinal);
            if (analyzers)
            {
                Assert.Contains(id, Value(metadata, "description") ?? string.Empty, System.StringComparison.Ordinal);
            }
        }

        Assert.Equal("icon.png", Value(metadata, "icon"));
        Assert.Contains("icon.png", Entries(package));
        Assert.Contains("kvm", Value(metadata, "tags") ?? string.Empty, System.StringComparison.Ordinal);
        Assert.Contains("AnalyzerReleases", Value(metadata, "releaseNotes") ?? string.Empty, System.StringComparison.Ordinal);
        if (!analyzers)
        {
            Assert.Contains("## Quick start", readme, System.StringComparison.Ordinal);
        }
    }

    private static string Text(string package, string entry)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    private static string[] Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private static XElement Metadata(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", System.StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
}
