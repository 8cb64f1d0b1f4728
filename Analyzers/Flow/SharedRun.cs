using System;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What one dataflow run over a body found for each of the rules that share it (see
    /// <c>Rules.LockRuleRun</c> and <c>Rules.FlagRuleRun</c>): the first rule to arrive runs it for all of them; each
    /// then reports its own part through its own context. Kept per body in the
    /// <see cref="RoleContext"/>, so a rule the driver calls again for the body reads it again.
    /// </summary>
    internal sealed class SharedRun
    {
        private readonly object _gate = new object();
        private ImmutableArray<Diagnostic>[]? _found;

        /// <summary>Reports through <paramref name="body"/> what <paramref name="rule"/> found in it, from the body's run in <paramref name="runs"/>.</summary>
        internal static void Report(ConditionalWeakTable<SyntaxNode, SharedRun> runs, MethodBody body, int rule, Func<ImmutableArray<Diagnostic>[]> run)
        {
            foreach (var diagnostic in runs.GetValue(body.Declaration, _ => new SharedRun()).FoundFor(rule, run))
            {
                body.ReportDiagnostic(diagnostic);
            }
        }

        /// <summary>What a run gathered for each rule, by the rule's part number, as the run's result.</summary>
        internal static ImmutableArray<Diagnostic>[] Parts(System.Collections.Generic.List<Diagnostic>[] gathered) =>
            Array.ConvertAll(gathered, found => found.ToImmutableArray());

        /// <summary>
        /// The findings for <paramref name="rule"/>, running <paramref name="run"/> if no rule has
        /// yet. A run that throws (a cancelled build) leaves nothing behind, so a later call runs
        /// it again; a rule arriving meanwhile waits for the run rather than making its own.
        /// </summary>
        private ImmutableArray<Diagnostic> FoundFor(int rule, Func<ImmutableArray<Diagnostic>[]> run)
        {
            lock (_gate)
            {
                _found ??= run();
                return _found[rule];
            }
        }
    }
}
