using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>Runs one analyzer over markup source with the runtime referenced; checks the marked diagnostics and no others.</summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic of the analyzer's only rule, to give a span, locations and arguments.</summary>
    internal static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();

    /// <summary>Runs a test the caller has set up (expected diagnostics with arguments, several files).</summary>
    internal static async Task VerifyAsync(Test test)
    {
        await test.RunAsync(CancellationToken.None);
        await CheckFixPropertiesAsync(test);
    }

    internal static Task VerifyAsync(string source, string? editorConfig = null, bool withRuntime = true)
    {
        var test = new Test { TestCode = source };
        if (!withRuntime)
        {
            test.TestState.AdditionalReferences.Clear();
        }

        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        }

        return VerifyAsync(test);
    }

    /// <summary>Every diagnostic the test produced, with every fix: see <see cref="FixProperties"/>.</summary>
    private static Task CheckFixPropertiesAsync(Test test)
    {
        var sources = test.TestState.Sources.Select(s => (s.filename, s.content.ToString())).ToArray();
        var configs = test.TestState.AnalyzerConfigFiles.Select(c => (c.filename, c.content.ToString()));
        var withRuntime = test.TestState.AdditionalReferences.Contains(TestReferences.Runtime);
        return FixProperties.CheckAsync(sources, configs, withRuntime);
    }

    internal sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net80;
            TestState.AdditionalReferences.Add(TestReferences.Runtime);
        }
    }
}
