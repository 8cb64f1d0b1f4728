using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// One flag run over a body for the four rules that follow the gfn range flags alone from an
    /// empty state: KVM0001 (both flags set), KVM0002 (HVA paths shared-only), KVM0005
    /// (guest_memfd paths private-only) and KVM0004 (an empty attr_filter at a zap). Each ran its
    /// own fixed point over the same graph with the same transfer; now the first of them to reach
    /// a body runs it once with the observers of every rule whose gate and pre-filter pass (as
    /// <see cref="LockRuleRun"/> does for the lock rules), and each reports its own part.
    /// </summary>
    internal static class FlagRuleRun
    {
        internal const int BothFlags = 0;
        internal const int HvaShared = 1;
        internal const int GmemPrivate = 2;
        internal const int EmptyFilter = 3;

        /// <summary>Reports what <paramref name="rule"/> finds in the body, from the run it shares with the other flag rules.</summary>
        internal static void Report(MethodBody body, RoleContext roleContext, int rule)
        {
            // The calling rule's own gate first, before anything is bound or kept (see LockRuleRun.Report).
            if (PassesGate(rule, roleContext.Gate, body.Declaration))
            {
                ReportFromRun(body, roleContext, rule);
            }
        }

        private static bool PassesGate(int rule, Gate.SyntaxGate gate, SyntaxNode declaration) => rule switch
        {
            BothFlags => gate.MaySetBothFlags(declaration),
            HvaShared => gate.MayBeAnHvaPath(declaration),
            GmemPrivate => gate.MayBeAGmemPath(declaration),
            _ => gate.MayZapAFilteredRange(declaration),
        };

        private static void ReportFromRun(MethodBody body, RoleContext roleContext, int rule) =>
            SharedRun.Report(roleContext.FlagRuns, body, rule, () => Run(body, roleContext));

        /// <summary>The run, once per body, for each rule whose gate lets the body through.</summary>
        private static ImmutableArray<Diagnostic>[] Run(MethodBody body, RoleContext roleContext)
        {
            var gate = roleContext.Gate;
            var both = PassesGate(BothFlags, gate, body.Declaration);
            var empty = PassesGate(EmptyFilter, gate, body.Declaration);
            var hvaGate = PassesGate(HvaShared, gate, body.Declaration);
            var gmemGate = PassesGate(GmemPrivate, gate, body.Declaration);

            // An HVA path by its name or attribute, or by what it does (it walks the memslots by
            // HVA, SPEC section 3); a guest_memfd path by its name or attribute.
            var roles = MethodFlowRunner.RolesFor(body, roleContext);
            var hvaByRole = hvaGate && roles.Roles.IsHvaPathMethod(body.OwningSymbol);
            var hvaByWalk = hvaGate && !hvaByRole && gate.MayWalkMemslotsByHva(body.Declaration);
            var gmem = gmemGate && roles.Roles.IsGmemPathMethod(body.OwningSymbol);
            var found = new[] { new List<Diagnostic>(), new List<Diagnostic>(), new List<Diagnostic>(), new List<Diagnostic>() };
            if (both || empty || hvaByRole || hvaByWalk || gmem)
            {
                RunFlow(body, roles, found, both, empty, hvaByRole, hvaByWalk, gmem);
            }

            return SharedRun.Parts(found);
        }

        private static void RunFlow(MethodBody body, RoleView roles, List<Diagnostic>[] found, bool both, bool empty, bool hvaByRole, bool hvaByWalk, bool gmem)
        {
            var hva = false;

            // What the body runs of its lambdas and local functions: only those are on its path
            // (KVM0002, KVM0005); made at the first body whose ranges are all passed in one.
            NestedFunctionsRun? run = null;
            IOperation? bodyRoot = null;
            NestedFunctionsRun Run() => run ??= NestedFunctionsRun.Of(bodyRoot!, roles.Summaries);
            MethodFlowRunner.Analyze(
                body,
                roles,
                FlowFacts.Flags,
                root =>
                {
                    // Each rule's own pre-filter on the operation tree (the range test shared by the two path rules).
                    bool? passesARange = null;
                    bodyRoot = root;
                    both = both && BothFlagsSetAnalyzer.WorthAnalysing(root, roles);
                    empty = empty && EmptyFilterAtZapAnalyzer.WorthAnalysing(root, roles);
                    // A path that passes no range may still hand a path the filter of one (OneSidedRangeReporter.OnCallBinding).
                    hva = (hvaByRole || hvaByWalk) && ((passesARange ??= RangeCalls.PassesARange(root, roles.Roles, Run)) || (hvaByRole && OneSidedRangeReporter.CallsAPathOfSide(root, roles.Summaries, FlagKind.OnlyShared)))
                        && (!hvaByWalk || HvaRangeNotSharedOnlyAnalyzer.WalksMemslotsByHva(root));
                    gmem = gmem && ((passesARange ??= RangeCalls.PassesARange(root, roles.Roles, Run)) || OneSidedRangeReporter.CallsAPathOfSide(root, roles.Summaries, FlagKind.OnlyPrivate));
                    return both || empty || hva || gmem;
                },
                FlowState.Empty,
                FlowState.Empty,
                graph =>
                {
                    var parts = new List<FlowObserver>(4);

                    // A nested function's graph is the path's only where the body runs it.
                    var function = NestedFunctionsRun.FunctionOf(graph);
                    var onThePath = function is null || ((hva || gmem) && Run().Runs(function));
                    if (both)
                    {
                        parts.Add(BothFlagsSetAnalyzer.NewReporter(body.GatheringInto(found[BothFlags]), roles, function));
                    }

                    if (hva && onThePath)
                    {
                        parts.Add(new OneSidedRangeReporter(body.GatheringInto(found[HvaShared]), roles, Descriptors.HvaRangeNotSharedOnly, FlagKind.OnlyShared, function, Run));
                    }

                    if (gmem && onThePath)
                    {
                        parts.Add(new OneSidedRangeReporter(body.GatheringInto(found[GmemPrivate]), roles, Descriptors.GmemRangeNotPrivateOnly, FlagKind.OnlyPrivate, function, Run));
                    }

                    if (empty)
                    {
                        parts.Add(EmptyFilterAtZapAnalyzer.NewReporter(body.GatheringInto(found[EmptyFilter]), roles));
                    }

                    return CompositeObserver.Of(parts);
                });
        }
    }
}
