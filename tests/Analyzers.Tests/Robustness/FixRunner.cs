using System.Collections.Generic;
using System.IO;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>Runs GfnGuard's code fixes the way the IDE's light bulb and Fix All do, on a workspace document.</summary>
internal static class FixRunner
{
    internal static readonly ImmutableArray<CodeFixProvider> Providers = ImmutableArray.Create<CodeFixProvider>(
        new BothFlagsSetCodeFixProvider(), new MakeRangeSharedOnlyCodeFixProvider(), new MoveReclaimAfterUnlockCodeFixProvider(), new MakeRangePrivateOnlyCodeFixProvider(), new TargetFilterCodeFixProvider(),
        new FlushBeforeUnlockCodeFixProvider(), new ReleaseBeforeReturnCodeFixProvider());

    /// <summary>A one-project workspace holding <paramref name="sources"/>; returns the project.</summary>
    internal static async Task<Project> CreateProjectAsync(IEnumerable<(string Path, string Text)> sources, IEnumerable<(string Path, string Text)>? analyzerConfigs = null, bool withRuntime = true)
    {
        var references = await AnalyzerRun.ReferencesAsync();
        if (!withRuntime)
        {
            references = references.Remove(Verifiers.TestReferences.Runtime);
        }

        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Default,
            "Fuzz",
            "Fuzz",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: references));
        foreach (var (path, text) in sources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), path, SourceText.From(text), filePath: path);
        }

        foreach (var (path, text) in analyzerConfigs ?? Enumerable.Empty<(string, string)>())
        {
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), Path.GetFileName(path), SourceText.From(text), filePath: path);
        }

        return solution.GetProject(projectId)!;
    }

    /// <summary>The GfnGuard diagnostics of <paramref name="project"/>, and any analyzer exception.</summary>
    internal static async Task<AnalyzerRun.Outcome> AnalyzeAsync(Project project)
    {
        var compilation = await project.GetCompilationAsync(CancellationToken.None);
        return await AnalyzerRun.AnalyzeAsync(compilation!, concurrent: false, project.AnalyzerOptions);
    }

    /// <summary>Every code action offered for <paramref name="diagnostic"/> (GfnGuard offers no nested actions).</summary>
    internal static async Task<IReadOnlyList<(CodeFixProvider Provider, CodeAction Action)>> ActionsForAsync(Document document, Diagnostic diagnostic)
    {
        var actions = new List<(CodeFixProvider, CodeAction)>();
        foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
        {
            var offered = new List<CodeAction>();
            var context = new CodeFixContext(document, diagnostic, (action, _) => offered.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context);
            foreach (var action in offered)
            {
                actions.Add((provider, action));
            }
        }

        return actions;
    }

    /// <summary>The solution after applying <paramref name="action"/>.</summary>
    internal static async Task<Solution> ApplyAsync(CodeAction action, Solution solution)
    {
        foreach (var operation in await action.GetOperationsAsync(CancellationToken.None))
        {
            if (operation is ApplyChangesOperation apply)
            {
                solution = apply.ChangedSolution;
            }
        }

        return solution;
    }

    /// <summary>Fix All in the document for <paramref name="equivalenceKey"/>, as the IDE runs it.</summary>
    internal static async Task<Solution> FixAllInDocumentAsync(CodeFixProvider provider, Document document, string diagnosticId, string? equivalenceKey, ImmutableArray<Diagnostic> diagnostics)
    {
        var fixAll = provider.GetFixAllProvider()!;
        var context = new FixAllContext(document, provider, FixAllScope.Document, equivalenceKey, new[] { diagnosticId }, new FixedDiagnostics(diagnostics), CancellationToken.None);
        var action = await fixAll.GetFixAsync(context);
        return action is null ? document.Project.Solution : await ApplyAsync(action, document.Project.Solution);
    }

    /// <summary>Hands Fix All the diagnostics already computed.</summary>
    private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        internal FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics)
        {
            _diagnostics = diagnostics;
        }

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return _diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}
