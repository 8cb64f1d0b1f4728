using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A forward dataflow fixed point over one <see cref="ControlFlowGraph"/>: block input states
    /// are joined where paths meet, loops are iterated over their back edges until nothing
    /// changes, and structured exception handling is followed (a finally runs on the way out of
    /// its try, a catch or finally may start from any point of its try).
    /// </summary>
    internal static class ForwardDataflow
    {
        /// <summary>A bound on block visits per block, so a pathological graph costs little.</summary>
        private const int MaxVisitsPerBlock = 64;

        /// <summary>
        /// Runs <paramref name="transfer"/> to a fixed point from <paramref name="entry"/>, then
        /// once more over every reachable block with observation on. Returns the input state of
        /// each block (null where unreachable), or null when the graph did not settle in budget.
        /// </summary>
        internal static FlowState?[]? Run(ControlFlowGraph graph, FlowState entry, IFlowTransfer transfer, CancellationToken cancellationToken)
        {
            var blocks = graph.Blocks;
            var inputs = new FlowState?[blocks.Length];
            var exceptionHandlers = ExceptionHandlerEntries(graph);
            var finallyContinuations = new Dictionary<ControlFlowRegion, HashSet<int>>();
            var worklist = new SortedSet<int>();
            var budget = (blocks.Length * MaxVisitsPerBlock) + 256;

            inputs[0] = entry;
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
                var output = transfer.TransferBlock(block, input, observe: false);

                foreach (var handler in exceptionHandlers[ordinal])
                {
                    Merge(handler, input.Join(output));
                }

                if (block.ConditionKind != ControlFlowConditionKind.None && block.BranchValue is not null)
                {
                    var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                    Follow(block, block.ConditionalSuccessor, transfer.Refine(output, block.BranchValue, takenWhen));
                    Follow(block, block.FallThroughSuccessor, transfer.Refine(output, block.BranchValue, !takenWhen));
                }
                else
                {
                    Follow(block, block.FallThroughSuccessor, output);
                }
            }

            for (var i = 0; i < blocks.Length; i++)
            {
                if (inputs[i] is { } input)
                {
                    transfer.TransferBlock(blocks[i], input, observe: true);
                }
            }

            return inputs;

            void Follow(BasicBlock from, ControlFlowBranch? branch, FlowState? state)
            {
                if (branch is null || state is null)
                {
                    return;
                }

                if (!branch.FinallyRegions.IsEmpty)
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

            void Merge(int ordinal, FlowState state)
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

        /// <summary>For each block, the first blocks of the catch, filter and finally handlers an exception in it may reach.</summary>
        private static List<int>[] ExceptionHandlerEntries(ControlFlowGraph graph)
        {
            var result = new List<int>[graph.Blocks.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new List<int>();
                for (var region = graph.Blocks[i].EnclosingRegion; region is not null; region = region.EnclosingRegion)
                {
                    if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { } tryAnd)
                    {
                        continue;
                    }

                    for (var h = 1; h < tryAnd.NestedRegions.Length; h++)
                    {
                        result[i].Add(tryAnd.NestedRegions[h].FirstBlockOrdinal);
                    }
                }
            }

            return result;
        }
    }
}
