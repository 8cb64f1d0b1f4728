using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>The transfer functions a <see cref="ForwardDataflow"/> runs: what a block does to the state.</summary>
    internal interface IFlowTransfer
    {
        /// <summary>
        /// The state after <paramref name="block"/>'s operations and branch value run on
        /// <paramref name="input"/>. When <paramref name="observe"/> is true the fixed point is
        /// reached and the transfer may report what it sees (each operation is seen once).
        /// When <paramref name="statesWithin"/> is given, the state after each operation is
        /// added to it: where an exception thrown inside the block may leave for a catch handler.
        /// </summary>
        FlowState TransferBlock(BasicBlock block, FlowState input, bool observe, System.Collections.Generic.List<FlowState>? statesWithin);

        /// <summary>
        /// The state on the edge taken when <paramref name="condition"/> is <paramref name="whenTrue"/>,
        /// or null when no path can take it (the state says the condition cannot have that value).
        /// </summary>
        FlowState? Refine(FlowState state, IOperation condition, bool whenTrue);

        /// <summary>The entry state for <paramref name="graph"/>: <paramref name="entry"/>, with what the transfer learns of the graph before it runs.</summary>
        FlowState Prepare(ControlFlowGraph graph, FlowState entry);

        /// <summary>
        /// The state on a branch that leaves the method (to the exit block), after what leaving does
        /// that the graph does not show (a lock statement Roslyn could not lower is released).
        /// </summary>
        FlowState Leaving(FlowState state, bool observe);
    }
}
