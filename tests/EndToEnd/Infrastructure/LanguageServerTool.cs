using System;
using System.IO;

namespace GfnGuard.EndToEnd.Tests.Infrastructure;

/// <summary>
/// csharp-ls installed from NuGet as a .NET tool into a folder of its own, once per test run;
/// <see cref="Path"/> is null and <see cref="WhyNot"/> says why when it cannot be installed.
/// </summary>
internal static class LanguageServerTool
{
    private static readonly Lazy<(string? Path, string? WhyNot)> Installed = new(Install);

    internal static string? Path => Installed.Value.Path;

    internal static string? WhyNot => Installed.Value.WhyNot;

    private static (string?, string?) Install()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gfnguard-csharp-ls");
        var executable = System.IO.Path.Combine(folder, OperatingSystem.IsWindows() ? "csharp-ls.exe" : "csharp-ls");
        if (File.Exists(executable))
        {
            return (executable, null);
        }

        try
        {
            var install = DotNet.Run(System.IO.Path.GetTempPath(), null, "tool", "install", "csharp-ls", "--tool-path", folder);
            return File.Exists(executable)
                ? (executable, null)
                : (null, "csharp-ls could not be installed from NuGet (`dotnet tool install csharp-ls` failed):\n" + install);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return (null, "csharp-ls could not be installed: " + e.Message);
        }
    }
}

/// <summary>A test that needs csharp-ls: skipped, with the reason, where the tool cannot be installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LanguageServerFactAttribute : FactAttribute
{
    public LanguageServerFactAttribute()
    {
        if (LanguageServerTool.Path is null)
        {
            Skip = LanguageServerTool.WhyNot;
        }
    }
}
