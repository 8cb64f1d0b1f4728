using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GfnGuard.Analyzers.Tests;

/// <summary>The repository the tests run from: its root, and its C# sources.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding Analyzers.sln.</summary>
    internal static string Root { get; } = FindRoot();

    /// <summary>Every .cs file under <paramref name="folder"/> (relative to the root), build output left out.</summary>
    internal static IEnumerable<string> CSharpFilesUnder(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Analyzers.sln not found above " + AppContext.BaseDirectory);
    }
}
