using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Every analyzer and code fix on damaged code: no analyzer exception (AD0001), no code-fix
/// exception. CI runs a few hundred mutants; the full run is
/// <c>GFNGUARD_FUZZ_MUTANTS=10000 dotnet test tests/Analyzers.Tests --filter FullyQualifiedName~FuzzTests</c>
/// (set <c>GFNGUARD_FUZZ_SEED</c> to replay one run).
/// </summary>
public sealed class FuzzTests
{
    private const int CiMutants = 1000;

    [Fact]
    public async Task MutatedPorts_NeverCrashAnAnalyzerOrACodeFix()
    {
        var mutants = EnvironmentInt("GFNGUARD_FUZZ_MUTANTS", CiMutants);
        var seed = EnvironmentInt("GFNGUARD_FUZZ_SEED", 20261125);
        var random = new Random(seed);
        var seeds = SeedFiles();
        var project = await FixRunner.CreateProjectAsync(new[] { (KernelDeclarations.FileName, KernelDeclarations.Text), ("Mutant.cs", "") });
        var mutantId = project.Documents.Single(d => d.Name == "Mutant.cs").Id;

        var failures = new List<string>();
        var diagnosticsSeen = 0;
        var fixesApplied = 0;
        for (var i = 0; i < mutants && failures.Count < 5; i++)
        {
            var (name, text) = seeds[random.Next(seeds.Count)];
            var mutant = TokenMutator.Mutate(text, random);
            var document = project.Solution.WithDocumentText(mutantId, SourceText.From(mutant)).GetDocument(mutantId)!;
            try
            {
                var outcome = await FixRunner.AnalyzeAsync(document.Project);
                failures.AddRange(outcome.Exceptions.Select(e => $"mutant {i} of {name}: analyzer threw {e}"));
                var tree = await document.GetSyntaxTreeAsync();
                foreach (var diagnostic in outcome.Diagnostics.Where(d => d.Location.SourceTree == tree).Take(2))
                {
                    diagnosticsSeen++;
                    foreach (var (provider, action) in await FixRunner.ActionsForAsync(document, diagnostic))
                    {
                        await FixRunner.ApplyAsync(action, document.Project.Solution);
                        fixesApplied++;
                    }
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failures.Add($"mutant {i} of {name} (seed {seed}): a code fix threw {exception}\n--- mutant ---\n{mutant}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // The mutants must still exercise the rules and fixes, or the test proves nothing.
        Assert.True(diagnosticsSeen > mutants / 20, $"only {diagnosticsSeen} diagnostics over {mutants} mutants");
        Assert.True(fixesApplied > 0);
    }

    /// <summary>Small files to mutate: generated ports with many broken methods, and the samples.</summary>
    private static List<(string Name, string Text)> SeedFiles()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 3000, KvmShare: 0.8, BugShare: 0.4, LinesPerFile: 120, Seed: 5));
        var seeds = corpus.Files.Skip(1).Select(f => (f.Name, f.Text)).ToList();
        var samples = Path.Combine(RepositoryFiles.Root, "Samples");
        foreach (var file in RepositoryFiles.CSharpFilesUnder("Samples"))
        {
            seeds.Add((Path.GetRelativePath(samples, file), File.ReadAllText(file)));
        }

        return seeds;
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
