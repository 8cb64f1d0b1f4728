using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The control flow graphs of one method body: its own, and those of the lambdas and local
    /// functions inside it, each of which runs where it is invoked and so is analyzed on its own.
    /// </summary>
    internal static class MethodGraphs
    {
        /// <summary>
        /// The root of an operation block (a method's body block sits under its IMethodBodyOperation),
        /// or null when Roslyn cannot build a graph for it (attribute arguments, for one).
        /// </summary>
        internal static IOperation? GraphRoot(IOperation block)
        {
            var root = block;
            while (root.Parent is { } parent)
            {
                root = parent;
            }

            return root.Kind is OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block
                or OperationKind.FieldInitializer or OperationKind.PropertyInitializer or OperationKind.ParameterInitializer
                ? root
                : null;
        }

        /// <summary>The graph of <paramref name="root"/> followed by every nested function's graph.</summary>
        internal static IEnumerable<ControlFlowGraph> WithNested(ControlFlowGraph root, CancellationToken cancellationToken)
        {
            var pending = new Stack<ControlFlowGraph>();
            pending.Push(root);

            // One walk stack for every operation of every graph: each rule run walks all of them,
            // and an iterator per operation (OperationExtensions.Descendants) was most of what
            // finding the lambdas allocated.
            var walk = new Stack<IOperation>();
            while (pending.Count > 0)
            {
                var graph = pending.Pop();
                yield return graph;

                foreach (var localFunction in graph.LocalFunctions)
                {
                    pending.Push(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken));
                }

                foreach (var block in graph.Blocks)
                {
                    foreach (var operation in block.Operations)
                    {
                        PushLambdas(graph, operation, walk, pending, cancellationToken);
                    }

                    if (block.BranchValue is { } branchValue)
                    {
                        PushLambdas(graph, branchValue, walk, pending, cancellationToken);
                    }
                }
            }
        }

        /// <summary>Pushes the graph of every lambda in <paramref name="operation"/> (itself included), in the order a pre-order walk meets them.</summary>
        private static void PushLambdas(ControlFlowGraph graph, IOperation operation, Stack<IOperation> walk, Stack<ControlFlowGraph> pending, CancellationToken cancellationToken)
        {
            walk.Push(operation);
            while (walk.Count > 0)
            {
                var current = walk.Pop();
                if (current is IFlowAnonymousFunctionOperation lambda)
                {
                    pending.Push(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken));
                }

                // Children pushed last first, so they pop in source order (the order Descendants gave).
                foreach (var child in current.ChildOperations.Reverse())
                {
                    walk.Push(child);
                }
            }
        }
    }
}
