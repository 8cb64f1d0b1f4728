using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Checked on every diagnostic an analyzer test produces, with every fix offered for it: the
/// fixed code compiles, that diagnostic is gone, no other appears, the changed method makes the
/// same calls on every input tried (<see cref="BehaviourCheck"/>), and Fix All in the document
/// gives the same code as applying the fix one diagnostic at a time.
/// </summary>
internal static class FixProperties
{
    internal static async Task CheckAsync(IEnumerable<(string Path, string Markup)> sources, IEnumerable<(string Path, string Text)> analyzerConfigs, bool withRuntime)
    {
        var plain = sources.Select(s => (s.Path, Text: Unmark(s.Markup))).ToList();
        var project = await FixRunner.CreateProjectAsync(plain, analyzerConfigs, withRuntime);
        var before = await FixRunner.AnalyzeAsync(project);
        var errorsBefore = await ErrorCountAsync(project);
        foreach (var diagnostic in before.Diagnostics)
        {
            var document = project.GetDocument(diagnostic.Location.SourceTree)!;
            foreach (var (provider, action) in await FixRunner.ActionsForAsync(document, diagnostic))
            {
                var what = $"fix '{action.Title}' for {diagnostic}";
                var fixedProject = (await FixRunner.ApplyAsync(action, project.Solution)).GetProject(project.Id)!;
                var after = await FixRunner.AnalyzeAsync(fixedProject);
                var fixedText = (await fixedProject.GetDocument(document.Id)!.GetTextAsync()).ToString();

                Assert.True(await ErrorCountAsync(fixedProject) <= errorsBefore, $"{what}: the fixed code does not compile\n{fixedText}");
                if (errorsBefore == 0)
                {
                    // Run before and after: the same calls on every input, only a reclaim moved.
                    await BehaviourCheck.SameBehaviourAsync(project, fixedProject, diagnostic, what);
                }

                Assert.True(Count(after, diagnostic.Id) < Count(before, diagnostic.Id), $"{what}: the diagnostic is still there\n{fixedText}");
                foreach (var id in after.Diagnostics.Select(d => d.Id).Distinct())
                {
                    Assert.True(Count(after, id) <= Count(before, id) - (id == diagnostic.Id ? 1 : 0), $"{what}: a new {id} appeared\n{fixedText}");
                }
            }
        }

        foreach (var group in before.Diagnostics.GroupBy(d => (d.Id, Tree: d.Location.SourceTree!)))
        {
            await CheckFixAllAsync(project, group.Key.Id, project.GetDocument(group.Key.Tree)!, group.ToList());
        }
    }

    /// <summary>Fix All in the document equals fixing the first remaining diagnostic until none is left.</summary>
    private static async Task CheckFixAllAsync(Project project, string id, Document document, IReadOnlyList<Diagnostic> diagnostics)
    {
        var keys = new HashSet<(CodeFixProvider, string)>();
        foreach (var diagnostic in diagnostics)
        {
            foreach (var (provider, action) in await FixRunner.ActionsForAsync(document, diagnostic))
            {
                keys.Add((provider, action.EquivalenceKey!));
            }
        }

        foreach (var (provider, key) in keys)
        {
            var all = (await FixRunner.AnalyzeAsync(project)).Diagnostics;
            var fixAll = await FixRunner.FixAllInDocumentAsync(provider, document, id, key, all);
            var fixAllText = (await fixAll.GetDocument(document.Id)!.GetTextAsync()).ToString();

            var solution = project.Solution;
            for (var step = 0; step <= diagnostics.Count; step++)
            {
                var current = solution.GetDocument(document.Id)!;
                var currentTree = await current.GetSyntaxTreeAsync();
                var remaining = (await FixRunner.AnalyzeAsync(current.Project)).Diagnostics
                    .Where(d => d.Id == id && d.Location.SourceTree == currentTree)
                    .OrderBy(d => d.Location.SourceSpan.Start);
                (CodeFixProvider, Microsoft.CodeAnalysis.CodeActions.CodeAction)? next = null;
                foreach (var diagnostic in remaining)
                {
                    next = (await FixRunner.ActionsForAsync(current, diagnostic))
                        .Where(a => a.Provider == provider && a.Action.EquivalenceKey == key)
                        .Select(a => ((CodeFixProvider, Microsoft.CodeAnalysis.CodeActions.CodeAction)?)a)
                        .FirstOrDefault();
                    if (next is not null)
                    {
                        break;
                    }
                }

                if (next is not { } found)
                {
                    break;
                }

                solution = await FixRunner.ApplyAsync(found.Item2, solution);
            }

            var oneByOneText = (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
            Assert.True(fixAllText == oneByOneText, $"Fix All '{key}' differs from fixing one at a time.\n--- Fix All ---\n{fixAllText}\n--- one at a time ---\n{oneByOneText}");
        }
    }

    private static int Count(AnalyzerRun.Outcome outcome, string id) => outcome.Diagnostics.Count(d => d.Id == id);

    private static async Task<int> ErrorCountAsync(Project project)
    {
        var compilation = await project.GetCompilationAsync(CancellationToken.None);
        return compilation!.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
    }

    private static string Unmark(string markup)
    {
        TestFileMarkupParser.GetPositionsAndSpans(markup, out var output, out _, out _);
        return output;
    }
}
