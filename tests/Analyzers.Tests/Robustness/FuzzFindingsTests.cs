using System.Linq;
using System.Threading.Tasks;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>Mutants the long fuzz run found, kept as tests of their own so CI replays them.</summary>
public sealed class FuzzFindingsTests
{
    /// <summary>
    /// Mutant 1300 of PositionalRecordRange.cs (seed 20261125, 4,000 mutants): a with
    /// expression whose member has lost its value. KVM0001's fix was given the initializer
    /// itself to write false into, and a with expression cannot hold a literal there.
    /// </summary>
    [Fact]
    public async Task AWithMemberThatLostItsValue_GetsNoFixThatBreaksTheTree()
    {
        const string Mutant = """
            namespace BuggyPort.Records
            {
                [GfnGuard.Runtime.GfnRange]
                public sealed record ZapRequest(ulong Start, ulong End, bool OnlyPrivate = false, bool OnlyShared = false);

                public static class Conversions
                {
                    public static ZapRequest SharedThenPrivate(ulong start, ulong end) =>
                        new ZapRequest(start, end, OnlyShared: true) with { OnlyPrivate = } true;
                }
            }
            """;
        var project = await FixRunner.CreateProjectAsync(new[] { ("Mutant.cs", Mutant) });
        var document = project.Documents.Single(d => d.Name == "Mutant.cs");

        var outcome = await FixRunner.AnalyzeAsync(project);

        Assert.Empty(outcome.Exceptions);
        foreach (var diagnostic in outcome.Diagnostics)
        {
            foreach (var (_, action) in await FixRunner.ActionsForAsync(document, diagnostic))
            {
                await FixRunner.ApplyAsync(action, project.Solution);
            }
        }
    }
}
