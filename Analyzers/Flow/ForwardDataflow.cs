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

            // A branch's finally regions are computed by Roslyn on first access, walking the
            // regions it leaves; most graphs have no finally, and then no branch needs asking.
            var hasFinally = HasFinally(graph.Root);
            var worklist = new BlockWorklist(blocks.Length);
            var budget = (blocks.Length * MaxVisitsPerBlock) + 256;

            // Scratch lists of one visit, reused by the next: PathStates copies what it keeps. A
            // finally region run inside a visit keeps lists of its own.
            var outputs = new List<FlowState>();
            var refined = new List<FlowState>();

            inputs[0] = PathStates.Of(transfer.Prepare(graph, entry));
            worklist.Add(0);
            while (worklist.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (--budget < 0)
                {
                    return null;
                }

                var ordinal = worklist.TakeLowest();
                var block = blocks[ordinal];
                var input = inputs[ordinal]!;
                outputs.Clear();
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
                    Follow(block, block.ConditionalSuccessor, Refine(outputs, block.BranchValue, takenWhen, input));
                    Follow(block, block.FallThroughSuccessor, Refine(outputs, block.BranchValue, !takenWhen, input));
                }
                else
                {
                    Follow(block, block.FallThroughSuccessor, PathStates.Of(outputs, input));
                }
            }

            return inputs;

            // Made into a PathStates before anyone else refines, so the scratch list can be shared.
            PathStates? Refine(List<FlowState> states, Microsoft.CodeAnalysis.IOperation condition, bool whenTrue, PathStates? unchanged = null)
            {
                refined.Clear();
                foreach (var state in states)
                {
                    if (transfer.Refine(state, condition, whenTrue) is { } kept)
                    {
                        refined.Add(kept);
                    }
                }

                return unchanged is null ? PathStates.Of(refined) : PathStates.Of(refined, unchanged);
            }

            void Follow(BasicBlock from, ControlFlowBranch? branch, PathStates? state)
            {
                if (branch is null || state is null)
                {
                    return;
                }

                if (branch.Destination is { Kind: BasicBlockKind.Exit })
                {
                    state = Leaving(state);
                }

                if (hasFinally && !branch.FinallyRegions.IsEmpty)
                {
                    // The branch runs each finally on its way out, innermost first, then reaches its
                    // destination. Each finally is run for this branch's states alone: a finally
                    // shared by a `return` and the loop's normal exit must not hand the state of
                    // one to the other (the return may have dropped the lock the loop still holds).
                    var current = state;
                    foreach (var region in branch.FinallyRegions)
                    {
                        current = RunFinally(region, current);
                        if (current is null)
                        {
                            return;
                        }
                    }

                    if (branch.Destination is { } target)
                    {
                        Merge(target.Ordinal, current);
                    }

                    return;
                }

                if (branch.Destination is { } destination)
                {
                    Merge(destination.Ordinal, state);
                }
            }

            PathStates Leaving(PathStates state)
            {
                refined.Clear();
                foreach (var path in state.Paths)
                {
                    refined.Add(transfer.Leaving(path, observe: true));
                }

                return PathStates.Of(refined, state) ?? state;
            }

            // A finally region run for one entry: its blocks in order, to a fixed point (a loop in a
            // finally is rare), observed like any other block; returns the states at its end.
            PathStates? RunFinally(ControlFlowRegion region, PathStates entry)
            {
                var first = region.FirstBlockOrdinal;
                var local = new PathStates?[region.LastBlockOrdinal - first + 1];
                local[0] = entry;
                PathStates? atEnd = null;
                for (var pass = 0; pass < 8; pass++)
                {
                    var changed = false;
                    for (var ordinal = first; ordinal <= region.LastBlockOrdinal; ordinal++)
                    {
                        if (local[ordinal - first] is not { } input || --budget < 0)
                        {
                            continue;
                        }

                        var block = blocks[ordinal];
                        var outputs = new List<FlowState>(input.Paths.Length);
                        foreach (var path in input.Paths)
                        {
                            outputs.Add(transfer.TransferBlock(block, path, observe: true, null));
                        }

                        if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is not null)
                        {
                            var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                            changed |= Within(block.ConditionalSuccessor, Refine(outputs, block.BranchValue, takenWhen));
                            changed |= Within(block.FallThroughSuccessor, Refine(outputs, block.BranchValue, !takenWhen));
                        }
                        else
                        {
                            changed |= Within(block.FallThroughSuccessor, PathStates.Of(outputs));
                        }
                    }

                    if (!changed)
                    {
                        break;
                    }
                }

                return atEnd;

                // Into a block of the region, or out of its end (the finally's last branch has no destination).
                bool Within(ControlFlowBranch? branch, PathStates? state)
                {
                    if (branch is null || state is null)
                    {
                        return false;
                    }

                    if (branch.Destination is { } target && target.Ordinal >= first && target.Ordinal <= region.LastBlockOrdinal)
                    {
                        var existing = local[target.Ordinal - first];
                        var joined = existing is null ? state : existing.Join(state);
                        if (existing is not null && existing.SameAs(joined))
                        {
                            return false;
                        }

                        local[target.Ordinal - first] = joined;
                        return target.Ordinal <= branch.Source.Ordinal;
                    }

                    atEnd = atEnd is null ? state : atEnd.Join(state);
                    return false;
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

        /// <summary>For each block, the first blocks of the catch and filter handlers an exception in it may reach (null when none).</summary>
        private static List<int>?[] ExceptionHandlerEntries(ControlFlowGraph graph)
        {
            var result = new List<int>?[graph.Blocks.Length];
            for (var i = 0; i < result.Length; i++)
            {
                // A lambda's graph sits inside its method's regions: a try around the lambda is the
                // method's, whose handlers are no blocks of this graph (their ordinals are the method's).
                for (var region = graph.Blocks[i].EnclosingRegion; region is not null && region != graph.Root; region = region.EnclosingRegion)
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
