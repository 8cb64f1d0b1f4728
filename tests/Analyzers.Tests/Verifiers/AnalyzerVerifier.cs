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
