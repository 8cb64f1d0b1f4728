using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>Runs the flow analysis over one method body and the lambdas and local functions in it.</summary>
    internal static class MethodFlowRunner
    {
        // How many control-flow graphs the rules asked Roslyn for, per syntax tree: lets a test
        // check that methods with no KVM role never get one. Weak, so trees still die.
        private static readonly ConditionalWeakTable<SyntaxTree, StrongBox<int>> s_graphsBuilt =
            new ConditionalWeakTable<SyntaxTree, StrongBox<int>>();

        /// <summary>Control-flow graphs built so far, by all rules, for method bodies in <paramref name="tree"/>.</summary>
        internal static int GraphsBuilt(SyntaxTree tree) =>
            s_graphsBuilt.TryGetValue(tree, out var count) ? Volatile.Read(ref count.Value) : 0;

        /// <summary>The roles for the tree of the method being analysed.</summary>
        internal static Roles.Roles RolesFor(OperationBlockAnalysisContext context, Roles.RoleContext roleContext)
        {
            var tree = context.OwningSymbol.Locations.Length > 0 && context.OwningSymbol.Locations[0].SourceTree is { } owningTree
                ? owningTree
                : context.OperationBlocks[0].Syntax.SyntaxTree;
            return roleContext.ForTree(tree, context.Options);
        }

        /// <summary>True when the syntax of some operation block of the method passes <paramref name="gate"/>.</summary>
        internal static bool AnyBlockSyntax(OperationBlockAnalysisContext context, Func<SyntaxNode, bool> gate)
        {
            foreach (var block in context.OperationBlocks)
            {
                if (gate(block.Syntax))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// For each graph root of the method that passes <paramref name="worthAnalysing"/>, runs the
        /// analysis from <paramref name="entry"/> (nested functions start from <paramref name="nestedEntry"/>)
        /// with a fresh observer for each graph.
        /// </summary>
        internal static void Analyze(
            OperationBlockAnalysisContext context,
            Roles.Roles roles,
            Func<IOperation, bool> worthAnalysing,
            FlowState entry,
            FlowState nestedEntry,
            Func<FlowObserver> createObserver)
        {
            var seen = new HashSet<IOperation>();
            foreach (var block in context.OperationBlocks)
            {
                if (MethodGraphs.GraphRoot(block) is not { } root || !seen.Add(root) || !worthAnalysing(root))
                {
                    continue;
                }

                Interlocked.Increment(ref s_graphsBuilt.GetValue(root.Syntax.SyntaxTree, _ => new StrongBox<int>()).Value);
                var graph = context.GetControlFlowGraph(block);
                foreach (var function in MethodGraphs.WithNested(graph, context.CancellationToken))
                {
                    var start = ReferenceEquals(function, graph) ? entry : nestedEntry;
                    var observer = createObserver();
                    if (ForwardDataflow.Run(function, start, new OperationTransfer(roles, observer), context.CancellationToken) is not null)
                    {
                        observer.Complete();
                    }
                }
            }
        }
    }
}
