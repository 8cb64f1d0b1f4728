using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>Where a variable is written: what a helper's own parameter and a lambda's captured locals are checked by.</summary>
    internal static class VariableWrites
    {
        private static readonly ConditionalWeakTable<ControlFlowGraph, StrongBox<ImmutableArray<WrittenInFunction>>> s_writtenInFunctions =
            new ConditionalWeakTable<ControlFlowGraph, StrongBox<ImmutableArray<WrittenInFunction>>>();

        private static readonly ConditionalWeakTable<ControlFlowGraph, StrongBox<ImmutableArray<WrittenInFunction>>>.CreateValueCallback s_compute =
            graph => new StrongBox<ImmutableArray<WrittenInFunction>>(ComputeWrittenInFunctions(graph));

        private static readonly ConditionalWeakTable<ControlFlowGraph, ImmutableHashSet<ISymbol>> s_written =
            new ConditionalWeakTable<ControlFlowGraph, ImmutableHashSet<ISymbol>>();

        private static readonly ConditionalWeakTable<ControlFlowGraph, ImmutableHashSet<ISymbol>>.CreateValueCallback s_computeWritten = ComputeWritten;

        /// <summary>Does this reference to a variable write it (an assignment's target, <c>++</c>, a ref or out argument, a deconstruction, a ref local's initializer)?</summary>
        internal static bool IsWritten(IOperation reference) => reference.Parent switch
        {
            IAssignmentOperation assignment => assignment.Target == reference,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            ITupleOperation or IDeclarationExpressionOperation => true,
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } } => true,
            _ => false,
        };

        /// <summary>
        /// What a lambda or local function of the graph writes of its locals (<c>Action a = () =&gt; f = 3;</c>,
        /// <c>slot =&gt; range.slot = slot</c>): any call after may have run it, so what the method
        /// stored there holds no longer. Made once per graph.
        /// </summary>
        internal static ImmutableArray<WrittenInFunction> WrittenInFunctions(ControlFlowGraph graph) =>
            s_writtenInFunctions.GetValue(graph, s_compute).Value;

        /// <summary>
        /// The locals, parameters and members the method's body (its lambdas and local functions
        /// included) writes anywhere: a variable outside this set holds one value all through the
        /// body. Made once per graph, and only for a body that asks.
        /// </summary>
        internal static ImmutableHashSet<ISymbol> WrittenAnywhere(ControlFlowGraph graph) => s_written.GetValue(graph, s_computeWritten);

        private static ImmutableHashSet<ISymbol> ComputeWritten(ControlFlowGraph graph)
        {
            var written = ImmutableHashSet.CreateBuilder<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var operation in graph.OriginalOperation.Descendants())
            {
                var symbol = operation switch
                {
                    ILocalReferenceOperation local => local.Local,
                    IParameterReferenceOperation parameter => parameter.Parameter,
                    IMemberReferenceOperation member => member.Member,
                    _ => null,
                };

                if (symbol is not null && IsWritten(operation))
                {
                    written.Add(symbol);
                }
            }

            return written.ToImmutable();
        }

        private static ImmutableArray<WrittenInFunction> ComputeWrittenInFunctions(ControlFlowGraph graph)
        {
            // The cheap test first: most bodies have no lambda or local function, and their
            // operation trees are then not walked.
            if (graph.LocalFunctions.IsEmpty && !HasNestedFunction(graph.OriginalOperation.Syntax))
            {
                return ImmutableArray<WrittenInFunction>.Empty;
            }

            var written = ImmutableArray.CreateBuilder<WrittenInFunction>();
            foreach (var operation in graph.OriginalOperation.Descendants())
            {
                var function = operation switch
                {
                    IAnonymousFunctionOperation lambda => (ISymbol)lambda.Symbol,
                    ILocalFunctionOperation local => local.Symbol,
                    _ => null,
                };

                if (function is null)
                {
                    continue;
                }

                foreach (var inner in operation.Descendants())
                {
                    if (inner is ILocalReferenceOperation { Local: { } local } reference
                        && !SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, function)
                        && WrittenThrough(reference, (IMethodSymbol)function) is { } write)
                    {
                        written.Add(write);
                    }
                }
            }

            return written.ToImmutable();
        }

        /// <summary>
        /// How the reference writes what its local holds: whole (no members) or through members
        /// (<c>r.slot = s</c>: slot), with the bool constant it stores if it stores one; null when
        /// it writes nothing.
        /// </summary>
        private static WrittenInFunction? WrittenThrough(ILocalReferenceOperation reference, IMethodSymbol function)
        {
            IOperation written = reference;
            var members = ImmutableArray.CreateBuilder<ISymbol>();
            while (written.Parent is IMemberReferenceOperation member && member.Instance == written)
            {
                members.Add(member.Member);
                written = member;
            }

            if (!IsWritten(written))
            {
                return null;
            }

            var constant = written.Parent is ISimpleAssignmentOperation { Value.ConstantValue: { HasValue: true, Value: bool value } } ? value : (bool?)null;
            var handedTo = written.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref } argument ? argument : null;
            return new WrittenInFunction(function, reference.Local, members.ToImmutable(), constant, handedTo);
        }

        private static bool HasNestedFunction(SyntaxNode syntax)
        {
            foreach (var node in syntax.DescendantNodes())
            {
                if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A local a nested function writes, whole or through these members (outermost first).</summary>
    internal readonly struct WrittenInFunction
    {
        internal WrittenInFunction(IMethodSymbol function, ILocalSymbol local, ImmutableArray<ISymbol> members, bool? constant, IArgumentOperation? handedTo)
        {
            Function = function;
            Local = local;
            Members = members;
            Constant = constant;
            HandedTo = handedTo;
        }

        /// <summary>The lambda or local function whose body (or a function nested in it) writes it.</summary>
        internal IMethodSymbol Function { get; }

        internal ILocalSymbol Local { get; }

        internal ImmutableArray<ISymbol> Members { get; }

        /// <summary>The bool constant the function stores there, if that is all it stores: the place then holds it or what it held.</summary>
        internal bool? Constant { get; }

        /// <summary>
        /// The <c>ref</c> argument that writes it (<c>() =&gt; kvm_unmap_gfn_range(kvm, ref r)</c>), if
        /// that is how: a call changes a range's flags only as its summary says (SPEC section 2).
        /// </summary>
        internal IArgumentOperation? HandedTo { get; }
    }
}
