using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using GfnGuard.EndToEnd.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>
/// Loads the packed analyzer DLLs the way a compiler does, into this test process, whose
/// Roslyn is 4.8: the compiler of the .NET 8.0.1xx SDK and Visual Studio 2022 17.8. An
/// analyzer built against a newer Roslyn fails to load here (CS9057 / CS8032 in a build).
/// </summary>
[Collection(PackedCollection.Name)]
public sealed class RoslynHostTests(PackedFeed feed)
{
    [Fact]
    public void HostIsRoslyn48()
    {
        Assert.Equal(new System.Version(4, 8, 0, 0), typeof(Compilation).Assembly.GetName().Version);
    }

    [Fact]
    public async Task PackedAnalyzers_LoadAndReportInRoslyn48()
    {
        var directory = ExtractAnalyzers();
        var loader = new IsolatedLoader(directory);
        var reference = new AnalyzerFileReference(Path.Combine(directory, "GfnGuard.Analyzers.dll"), loader);
        var failures = new List<AnalyzerLoadFailureEventArgs>();
        reference.AnalyzerLoadFailed += (_, e) => failures.Add(e);

        var analyzers = reference.GetAnalyzers(LanguageNames.CSharp);

        Assert.Empty(failures.Select(f => f.ErrorCode + ": " + f.Message));
        Assert.Contains(analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "KVM0001"));

        var tree = CSharpSyntaxTree.ParseText("""
            struct kvm_gfn_range { public bool only_private; public bool only_shared; }
            static class C
            {
                static kvm_gfn_range M() => new kvm_gfn_range { only_private = true, only_shared = true };
            }
            """);
        var compilation = CSharpCompilation.Create(
            "Consumer",
            new[] { tree },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAllDiagnosticsAsync();

        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        var kvm0001 = Assert.Single(diagnostics, d => d.Id == "KVM0001");
        Assert.Equal("only_shared = true", tree.GetText().ToString(kvm0001.Location.SourceSpan));
    }

    [Fact]
    public void PackedCodeFixes_ReferenceNoNewerRoslynThanTheHost()
    {
        var directory = ExtractAnalyzers();
        var host = typeof(Compilation).Assembly.GetName().Version!;
        foreach (var file in new[] { "GfnGuard.Analyzers.dll", "GfnGuard.CodeFixes.dll" })
        {
            var name = AssemblyName.GetAssemblyName(Path.Combine(directory, file));
            using var stream = File.OpenRead(Path.Combine(directory, file));
            using var peReader = new System.Reflection.PortableExecutable.PEReader(stream);
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(peReader);
            var roslynReferences = metadata.AssemblyReferences
                .Select(metadata.GetAssemblyReference)
                .Where(r => metadata.GetString(r.Name).StartsWith("Microsoft.CodeAnalysis", System.StringComparison.Ordinal))
                .ToList();

            Assert.NotEmpty(roslynReferences);
            Assert.All(roslynReferences, r => Assert.True(r.Version <= host, $"{name.Name} references {metadata.GetString(r.Name)} {r.Version}, newer than {host}"));
        }
    }

    private string ExtractAnalyzers()
    {
        var directory = feed.NewDirectory("analyzers");
        using var zip = ZipFile.OpenRead(feed.AnalyzersPackage);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("analyzers/dotnet/cs/", System.StringComparison.Ordinal)))
        {
            entry.ExtractToFile(Path.Combine(directory, entry.Name));
        }

        return directory;
    }

    /// <summary>Loads the package's DLLs in their own context; Roslyn itself comes from the host, as in a compiler.</summary>
    private sealed class IsolatedLoader(string directory) : IAnalyzerAssemblyLoader
    {
        private readonly AssemblyLoadContext _context = new PackageLoadContext(directory);

        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => _context.LoadFromAssemblyPath(fullPath);

        private sealed class PackageLoadContext(string directory) : AssemblyLoadContext("GfnGuard package", isCollectible: false)
        {
            protected override Assembly? Load(AssemblyName assemblyName)
            {
                var candidate = Path.Combine(directory, assemblyName.Name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }
        }
    }
}
