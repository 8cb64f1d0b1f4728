using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// One store into a gfn range flag, as the analysis sees it after the fixed point:
    /// which range, which flag, the value stored and what the other flag may hold there.
    /// </summary>
    internal readonly struct FlagAssignment
    {
        internal FlagAssignment(FlowLocation range, FlagKind flag, BoolValue assigned, BoolValue other, SyntaxNode reportNode, SyntaxNode valueNode)
        {
            Range = range;
            Flag = flag;
            Assigned = assigned;
            Other = other;
            ReportNode = reportNode;
            ValueNode = valueNode;
        }

        internal FlowLocation Range { get; }

        internal FlagKind Flag { get; }

        internal BoolValue Assigned { get; }

        /// <summary>What the other flag of the same range may hold just before this store.</summary>
        internal BoolValue Other { get; }

        /// <summary>The assignment, initializer member, constructor argument or <c>with</c> member.</summary>
        internal SyntaxNode ReportNode { get; }

        /// <summary>The expression whose value is stored (what a fix rewrites).</summary>
        internal SyntaxNode ValueNode { get; }
    }

    /// <summary>
    /// What a rule watches on the observation pass (after the fixed point): each is called once
    /// per operation and per path state that reaches it.
    /// </summary>
    internal abstract class FlowObserver
    {
        internal virtual void OnFlagAssigned(in FlagAssignment assignment)
        {
        }

        /// <summary>The observation pass is over: report what was gathered across every path.</summary>
        internal virtual void Complete()
        {
        }

        /// <summary>A whole value (a range, say) was stored into a place, replacing every flag below it.</summary>
        internal virtual void OnValueStored(FlowLocation target)
        {
        }

        /// <summary>A call, with its arguments evaluated (their places, where known) and before its effects.</summary>
        internal virtual void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
        {
        }
    }
}
