using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A forward dataflow fixed point over one <see cref="ControlFlowGraph"/>: block input states
    /// are joined where paths meet, loops are iterated over their back edges until nothing
    /// changes, and structured exception handling is followed (a finally runs on the way out of
    /// its try, a catch may start from any point of its try).
    /// </summary>
    internal static class ForwardDataflow
    {
        /// <summary>A bound on block visits per block, so a pathological graph costs little.</summary>
        private const int MaxVisitsPerBlock = 96;

        /// <summary>The state reaching the end of the graph (the exit block), or null when it is unreachable.</summary>
        internal static PathStates? ExitState(ControlFlowGraph graph, PathStates?[] inputs) => inputs[graph.Blocks.Length - 1];

        /// <summary>
        /// Runs <paramref name="transfer"/> to a fixed point from <paramref name="entry"/>, with
        /// observation on throughout. Returns the input state of each block (null where
        /// unreachable), or null when the graph did not settle in budget.
        /// </summary>
        /// <remarks>
        /// There is no separate pass over the fixed point for the observers: states only grow
        /// while the analysis runs, and an observer reports monotonically (what it reports from
        /// a state it also reports from any larger one) and idempotently (see
        /// <see cref="FlowObserver"/>), so what it gathers from every transfer on the way is
        /// exactly what it would gather from the fixed point alone, without a second pass.
        /// </remarks>
        internal static PathStates?[]? Run(ControlFlowGraph graph, FlowState entry, IFlowTransfer transfer, CancellationToken cancellationToken)
        {
            var blocks = graph.Blocks;
            var inputs = new PathStates?[blocks.Length];
            var exceptionHandlers = ExceptionHandlerEntries(graph);
            var finallyContinuations = new Dictionary<ControlFlowRegion, HashSet<int>>();

            // A branch's finally regions are computed by Roslyn on first access, walking the
            // regions it leaves; most graphs have no finally, and then no branch needs asking.
            var hasFinally = HasFinally(graph.Root);
            var worklist = new SortedSet<int>();
            var budget = (blocks.Length * MaxVisitsPerBlock) + 256;

            inputs[0] = PathStates.Of(entry);
            worklist.Add(0);
            while (worklist.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (--budget < 0)
                {
                    return null;
                }

                var ordinal = worklist.Min;
                worklist.Remove(ordinal);
                var block = blocks[ordinal];
                var input = inputs[ordinal]!;
                var outputs = new List<FlowState>(input.Paths.Length);
                var handlers = exceptionHandlers[ordinal];
                var thrown = handlers is not null ? new List<FlowState>(input.Paths) : null;
                foreach (var path in input.Paths)
                {
                    outputs.Add(transfer.TransferBlock(block, path, observe: true, thrown));
                }

                if (handlers is not null && PathStates.Of(thrown!) is { } atThrow)
                {
                    foreach (var handler in handlers)
                    {
                        Merge(handler, atThrow);
                    }
                }

                if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is not null)
                {
                    var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                    Follow(block, block.ConditionalSuccessor, Refine(outputs, block.BranchValue, takenWhen));
                    Follow(block, block.FallThroughSuccessor, Refine(outputs, block.BranchValue, !takenWhen));
                }
                else
                {
                    Follow(block, block.FallThroughSuccessor, PathStates.Of(outputs));
                }
            }

            return inputs;

            PathStates? Refine(List<FlowState> states, Microsoft.CodeAnalysis.IOperation condition, bool whenTrue)
            {
                var refined = new List<FlowState>(states.Count);
                foreach (var state in states)
                {
                    if (transfer.Refine(state, condition, whenTrue) is { } kept)
                    {
                        refined.Add(kept);
                    }
                }

                return PathStates.Of(refined);
            }

            void Follow(BasicBlock from, ControlFlowBranch? branch, PathStates? state)
            {
                if (branch is null || state is null)
                {
                    return;
                }

                if (hasFinally && !branch.FinallyRegions.IsEmpty)
                {
                    // The branch runs each finally on its way out, innermost first, then reaches its destination.
                    for (var i = 0; i < branch.FinallyRegions.Length; i++)
                    {
                        var next = i + 1 < branch.FinallyRegions.Length
                            ? branch.FinallyRegions[i + 1].FirstBlockOrdinal
                            : branch.Destination?.Ordinal ?? -1;
                        AddContinuation(branch.FinallyRegions[i], next);
                    }

                    Merge(branch.FinallyRegions[0].FirstBlockOrdinal, state);
                    return;
                }

                if (branch.Destination is { } destination)
                {
                    Merge(destination.Ordinal, state);
                    return;
                }

                if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling
                    && EnclosingFinally(from) is { } finallyRegion
                    && finallyContinuations.TryGetValue(finallyRegion, out var continuations))
                {
                    foreach (var continuation in continuations)
                    {
                        Merge(continuation, state);
                    }
                }
            }

            void AddContinuation(ControlFlowRegion finallyRegion, int destination)
            {
                if (destination < 0)
                {
                    return;
                }

                if (!finallyContinuations.TryGetValue(finallyRegion, out var set))
                {
                    finallyContinuations[finallyRegion] = set = new HashSet<int>();
                }

                if (set.Add(destination) && inputs[finallyRegion.LastBlockOrdinal] is not null)
                {
                    // The finally was already run: its end now has one more place to go.
                    worklist.Add(finallyRegion.LastBlockOrdinal);
                }
            }

            void Merge(int ordinal, PathStates state)
            {
                var existing = inputs[ordinal];
                var joined = existing is null ? state : existing.Join(state);
                if (existing is null || !existing.SameAs(joined))
                {
                    inputs[ordinal] = joined;
                    worklist.Add(ordinal);
                }
            }
        }

        private static bool HasFinally(ControlFlowRegion region)
        {
            if (region.Kind == ControlFlowRegionKind.Finally)
            {
                return true;
            }

            foreach (var nested in region.NestedRegions)
            {
                if (HasFinally(nested))
                {
                    return true;
                }
            }

            return false;
        }

        private static ControlFlowRegion? EnclosingFinally(BasicBlock block)
        {
            for (var region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Finally)
                {
                    return region;
                }
            }

            return null;
        }

        /// <summary>For each block, the first blocks of the catch and filter handlers an exception in it may reach (null when none).</summary>
        private static List<int>?[] ExceptionHandlerEntries(ControlFlowGraph graph)
        {
            var result = new List<int>?[graph.Blocks.Length];
            for (var i = 0; i < result.Length; i++)
            {
                for (var region = graph.Blocks[i].EnclosingRegion; region is not null; region = region.EnclosingRegion)
                {
                    if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { } tryAnd)
                    {
                        continue;
                    }

                    // Catch and filter handlers continue into normal flow, so an exception anywhere in
                    // the try reaches them. A finally entered by an exception rethrows at its end; its
                    // states must not leak into the normal continuation, so only normal exits enter it.
                    for (var h = 1; h < tryAnd.NestedRegions.Length; h++)
                    {
                        if (tryAnd.NestedRegions[h].Kind != ControlFlowRegionKind.Finally)
                        {
                            (result[i] ??= new List<int>()).Add(tryAnd.NestedRegions[h].FirstBlockOrdinal);
                        }
                    }
                }
            }

            return result;
        }
    }
}
