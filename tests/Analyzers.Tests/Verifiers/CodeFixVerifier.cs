using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Applies one code fix (by equivalence key) to markup source and checks the fixed code, one
/// diagnostic at a time and through Fix All in document, project and solution.
/// </summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    internal static Task VerifyFixAsync(string source, string fixedSource, string equivalenceKey, int? iterations = null, string? editorConfig = null)
    {
        var test = new Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
        };

        if (editorConfig is not null)
        {
            // The same names before and after the fix: a fixer reads them as the rules do.
            var config = ("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig);
            test.TestState.AnalyzerConfigFiles.Add(config);
            test.FixedState.AnalyzerConfigFiles.Add(config);
        }

        if (iterations is { } count)
        {
            test.NumberOfIncrementalIterations = count;
            test.NumberOfFixAllIterations = 1;
        }

        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Applies the first fix offered (what <c>dotnet format</c> applies), one diagnostic at a time and through Fix All.</summary>
    internal static Task VerifyFirstFixAsync(string source, string fixedSource)
    {
        var test = new Test
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = 0,
        };
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Checks that no fix with <paramref name="equivalenceKey"/> is offered.</summary>
    internal static Task VerifyNoFixAsync(string source, string equivalenceKey)
    {
        var test = new Test
        {
            TestCode = source,
            FixedCode = source,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        return test.RunAsync(CancellationToken.None);
    }

    internal sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net80;
            TestState.AdditionalReferences.Add(TestReferences.Runtime);
            FixedState.AdditionalReferences.Add(TestReferences.Runtime);
        }

        /// <summary>Every GfnGuard analyzer runs, so a fix that raises another rule's diagnostic fails the test.</summary>
        protected override System.Collections.Generic.IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => GfnGuard.Analyzers.Tests.Robustness.AnalyzerRun.All;
    }
}
