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
    internal static Task VerifyAsync(Test test) => test.RunAsync(CancellationToken.None);

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

        return test.RunAsync(CancellationToken.None);
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
