using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>Runs the flow analysis over one method body and the lambdas and local functions in it.</summary>
    internal static class MethodFlowRunner
    {
        /// <summary>The roles for the tree of the method being analysed.</summary>
        internal static RoleView RolesFor(MethodBody body, RoleContext roleContext)
        {
            var tree = body.OwningSymbol.Locations.Length > 0 && body.OwningSymbol.Locations[0].SourceTree is { } owningTree
                ? owningTree
                : body.Declaration.SyntaxTree;
            return roleContext.ForTree(tree);
        }

        /// <summary>
        /// The lock state a body starts from: not held, or held from the method's
        /// <c>[RequiresMmuLock]</c> (the attribute is where it was taken); nested functions start unheld.
        /// </summary>
        internal static (FlowState Entry, FlowState NotHeld, bool HeldOnEntry) LockEntry(MethodBody body)
        {
            var requires = Roles.SymbolRoles.RequiresLockAttribute(body.OwningSymbol)?.ApplicationSyntaxReference;
            var notHeld = FlowState.Empty.Set(OperationTransfer.LockLocation, BoolValue.False);
            var entry = requires is null
                ? notHeld
                : FlowState.Empty.Set(OperationTransfer.LockLocation, BoolValue.True.StoredAt(requires.GetSyntax(body.CancellationToken)));
            return (entry, notHeld, requires is not null);
        }

        /// <summary>
        /// When the block's root passes <paramref name="worthAnalysing"/>, runs the analysis of
        /// <paramref name="facts"/> over its graph from <paramref name="entry"/> (nested functions
        /// start from <paramref name="nestedEntry"/>) with a fresh observer for each graph (made for that graph).
        /// </summary>
        internal static void Analyze(
            MethodBody body,
            RoleView roles,
            FlowFacts facts,
            Func<IOperation, bool> worthAnalysing,
            FlowState entry,
            FlowState nestedEntry,
            Func<ControlFlowGraph, FlowObserver> createObserver)
        {
            if (body.Root() is not { } root || !worthAnalysing(root))
            {
                return;
            }

            AnalysedBodies.NoteGraphed(body.Declaration);
            if (body.Graph(root) is not { } graph)
            {
                return;
            }

            foreach (var function in MethodGraphs.WithNested(graph, body.CancellationToken))
            {
                var start = ReferenceEquals(function, graph) ? entry : nestedEntry;
                var observer = createObserver(function);
                var transfer = new OperationTransfer(roles.Roles, roles.Summaries, observer, facts);
                if (ForwardDataflow.Run(function, start, transfer, body.CancellationToken) is { } inputs)
                {
                    observer.OnFixedPoint(function, inputs, transfer, isMethodBody: ReferenceEquals(function, graph));
                    observer.Complete();
                }
            }
        }
    }
}
