using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// One lock-state run over a body for the two rules that follow mmu_lock alone from the same
    /// entry: KVM0003 (reclaim under the lock) and KVM0007 (the lock balanced). Each ran its own
    /// fixed point over the same graph, with the same transfer; now the first of them to reach a
    /// body runs it once with both observers, each gathered apart, and each rule reports its own
    /// part. A rule takes part only where its own gate and pre-filter would have run it, so what
    /// either reports is what it reported alone. (KVM0006 follows the flush facts too, which
    /// keep paths apart that these two merge, so it keeps its own run.)
    /// </summary>
    internal static class LockRuleRun
    {
        /// <summary>KVM0003's part.</summary>
        internal const int Reclaim = 0;

        /// <summary>KVM0007's part.</summary>
        internal const int Balance = 1;

        /// <summary>
        /// Reports what <paramref name="rule"/> finds in the body, from the run it shares with the
        /// other lock rule; returns whether the rule's own gate let the body through.
        /// </summary>
        internal static bool Report(MethodBody body, RoleContext roleContext, int rule)
        {
            // The calling rule's own gate first, before anything is bound or kept: a block it
            // cannot break costs it nothing, and one only the other rule can break is left to it.
            var passes = rule == Reclaim
                ? roleContext.Gate.MayReclaimUnderLock(body.Declaration, heldOnEntry: SymbolRoles.RequiresLockAttribute(body.OwningSymbol)?.ApplicationSyntaxReference is not null)
                : roleContext.Gate.MayTouchTheLock(body.Declaration);
            if (passes)
            {
                ReportFromRun(body, roleContext, rule);
            }

            return passes;
        }

        private static void ReportFromRun(MethodBody body, RoleContext roleContext, int rule) =>
            SharedRun.Report(roleContext.LockRuns, body, rule, () => Run(body, roleContext));

        /// <summary>The run, once per body, for each rule whose gate lets the body through.</summary>
        private static ImmutableArray<Diagnostic>[] Run(MethodBody body, RoleContext roleContext)
        {
            var (entry, notHeld, heldOnEntry) = MethodFlowRunner.LockEntry(body);
            var reclaim = roleContext.Gate.MayReclaimUnderLock(body.Declaration, heldOnEntry);
            var balance = roleContext.Gate.MayTouchTheLock(body.Declaration);
            return RunFlow(body, MethodFlowRunner.RolesFor(body, roleContext), entry, notHeld, heldOnEntry, reclaim, balance);
        }

        // Apart from Run, so that the closure its lambdas share is made only for a body past a
        // gate: C# makes the closure when the method that holds the captured locals is entered.
        private static ImmutableArray<Diagnostic>[] RunFlow(MethodBody body, RoleView roles, FlowState entry, FlowState notHeld, bool heldOnEntry, bool reclaim, bool balance)
        {
            var found = new[] { new List<Diagnostic>(), new List<Diagnostic>() };
            MethodFlowRunner.Analyze(
                body,
                roles,
                FlowFacts.Lock,
                root =>
                {
                    // Each rule's own pre-filter on the operation tree (the lock test shared).
                    bool? touches = null;
                    reclaim = reclaim && ReclaimUnderMmuLockAnalyzer.WorthAnalysing(root, roles, heldOnEntry, () => touches ??= roles.Summaries.MayTouchTheLock(root));
                    balance = balance && (touches ??= roles.Summaries.MayTouchTheLock(root));
                    return reclaim || balance;
                },
                entry,
                notHeld,
                _ =>
                {
                    var parts = new List<FlowObserver>(2);
                    if (reclaim)
                    {
                        parts.Add(ReclaimUnderMmuLockAnalyzer.NewReporter(body.GatheringInto(found[Reclaim]), roles));
                    }

                    if (balance)
                    {
                        parts.Add(UnbalancedMmuLockAnalyzer.NewReporter(body.GatheringInto(found[Balance]), roles, heldOnEntry));
                    }

                    return CompositeObserver.Of(parts);
                });
            return SharedRun.Parts(found);
        }
    }
}
