using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Analyzers.Rules;
using GfnGuard.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests.Robustness;

/// <summary>
/// A block the gate turns away must cost no allocation: on ordinary code every block is one,
/// and garbage the rules make there brings the compiler's collections (tens of milliseconds
/// each on a large compilation's heap) into GfnGuard's callbacks. A lambda's closure made on
/// entry to a rule's method, or a delegate made per GetOrAdd, allocated on every block.
/// </summary>
public sealed class TurnedAwayBlockTests
{
    [Fact]
    public async Task EveryRule_OnABlockOfOrdinaryCode_AllocatesNothing()
    {
        var corpus = CorpusGenerator.Generate(new CorpusOptions(Lines: 4000, KvmShare: 0, Seed: 31));
        var compilation = await AnalyzerRun.CompileAsync(corpus.Files.Select(f => (f.Name, f.Text)));
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        var roleContext = RoleContext.For(compilation, options);
        // Every code block of the ordinary files (the first file is the corpus's kernel file).
        var blocks = compilation.SyntaxTrees.Where(t => t.FilePath != corpus.Files[0].Name).SelectMany(tree =>
        {
            var model = compilation.GetSemanticModel(tree);
            return tree.GetRoot().DescendantNodes()
                .Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax)
                .Select(n => new MethodBody(new CodeBlockAnalysisContext(n, model.GetDeclaredSymbol(n)!, model, options, _ => { }, _ => true, default)));
        }).ToList();

        void RunEveryRule()
        {
            foreach (var block in blocks)
            {
                BothFlagsSetAnalyzer.AnalyzeBlock(block, roleContext);
                HvaRangeNotSharedOnlyAnalyzer.AnalyzeBlock(block, roleContext);
                ReclaimUnderMmuLockAnalyzer.AnalyzeBlock(block, roleContext);
                EmptyFilterAtZapAnalyzer.AnalyzeBlock(block, roleContext);
                GmemRangeNotPrivateOnlyAnalyzer.AnalyzeBlock(block, roleContext);
                FlushBeforeUnlockAnalyzer.AnalyzeBlock(block, roleContext);
                UnbalancedMmuLockAnalyzer.AnalyzeBlock(block, roleContext);
            }
        }

        // The first round builds the gate and its per-file verdicts, once per compilation.
        RunEveryRule();
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunEveryRule();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(blocks.Count > 200, $"only {blocks.Count} blocks");
        Assert.Equal(0, allocated);
    }
}
