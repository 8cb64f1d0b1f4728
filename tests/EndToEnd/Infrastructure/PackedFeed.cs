using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GfnGuard.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Packs both packages once per test run, from a copy of the sources (so the test never
/// touches the working tree's bin/obj), into a local folder feed.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    /// <summary>What a fresh clone needs to pack the two packages.</summary>
    private static readonly string[] SourceEntries =
    {
        "Analyzers", "CodeFixes", "Runtime", "nuget",
        "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json",
    };

    public PackedFeed()
    {
        WorkDirectory = RepositoryPaths.NewTempDirectory("gfnguard-e2e");
        var sources = Path.Combine(WorkDirectory, "src");
        FeedDirectory = Path.Combine(WorkDirectory, "feed");
        foreach (var entry in SourceEntries)
        {
            CopyEntry(Path.Combine(RepositoryPaths.Root, entry), Path.Combine(sources, entry));
        }

        foreach (var project in new[] { "nuget/GfnGuard.Analyzers/GfnGuard.Analyzers.Package.csproj", "nuget/GfnGuard.Runtime/GfnGuard.Runtime.Package.csproj" })
        {
            var result = DotNet.Run(sources, null, "pack", project, "-c", "Release", "-o", FeedDirectory);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet pack " + project + " failed:\n" + result);
            }
        }

        AnalyzersPackage = Directory.GetFiles(FeedDirectory, "GfnGuard.Analyzers.*.nupkg").Single();
        RuntimePackage = Directory.GetFiles(FeedDirectory, "GfnGuard.Runtime.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(AnalyzersPackage)["GfnGuard.Analyzers.".Length..];
    }

    public string WorkDirectory { get; }

    public string FeedDirectory { get; }

    public string AnalyzersPackage { get; }

    public string RuntimePackage { get; }

    public string Version { get; }

    /// <summary>
    /// A throwaway consumer project: its own nuget.config that sees only the local feed, and
    /// its own empty packages folder, so a cached copy cannot hide a broken package.
    /// </summary>
    internal Consumer CreateConsumer(string packageId, IReadOnlyDictionary<string, string> files, string targetFramework = "net10.0")
    {
        var directory = NewDirectory("consumer");
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>{targetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <OutputType>Library</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{packageId}" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(directory, file.Key), file.Value);
        }

        return new Consumer(directory, Path.Combine(directory, ".packages"));
    }

    /// <summary>A new folder inside this run's work folder (deleted with it).</summary>
    internal string NewDirectory(string prefix)
    {
        var path = Path.Combine(WorkDirectory, prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Copies a file or a folder (without bin/ and obj/).</summary>
    internal static void CopyEntry(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("bin") || parts.Contains("obj"))
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>A consumer project made by <see cref="PackedFeed.CreateConsumer"/>.</summary>
internal sealed record Consumer(string Directory, string PackagesFolder)
{
    internal DotNet.Result Build(params string[] extraArguments) =>
        Run(new[] { "build", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false" }.Concat(extraArguments).ToArray());

    /// <summary>`dotnet format analyzers` on the consumer project, fixing the given rules.</summary>
    internal DotNet.Result FormatAnalyzers(params string[] diagnosticIds) =>
        Run(new[] { "format", "analyzers", "Consumer.csproj", "--diagnostics" }.Concat(diagnosticIds).Concat(new[] { "--severity", "warn" }).ToArray());

    internal string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    /// <summary>Any dotnet command in the consumer's folder, with its own packages folder.</summary>
    internal DotNet.Result Dotnet(params string[] arguments) => Run(arguments);

    /// <summary>`dotnet restore` of the consumer, into its own packages folder.</summary>
    internal DotNet.Result Restore() => Run(new[] { "restore", "Consumer.csproj" });

    private DotNet.Result Run(string[] arguments) =>
        DotNet.Run(Directory, new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesFolder }, arguments);
}
