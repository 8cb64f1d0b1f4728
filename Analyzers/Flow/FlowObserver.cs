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
        internal FlagAssignment(FlowLocation range, FlagKind flag, ITypeSymbol? rangeType, BoolValue assigned, BoolValue other, SyntaxNode reportNode, SyntaxNode valueNode, bool isFilterForm = false)
        {
            IsFilterForm = isFilterForm;
            Range = range;
            Flag = flag;
            RangeType = rangeType;
            Assigned = assigned;
            Other = other;
            ReportNode = reportNode;
            ValueNode = valueNode;
        }

        internal FlowLocation Range { get; }

        internal FlagKind Flag { get; }

        /// <summary>
        /// The range has upstream's attr_filter (SPEC 3a): the two facts are its bits (shared,
        /// private), and both set is valid (KVM0001 does not apply).
        /// </summary>
        internal bool IsFilterForm { get; }

        /// <summary>The range's type where the store shows it, for the port's own flag names in messages.</summary>
        internal ITypeSymbol? RangeType { get; }

        internal BoolValue Assigned { get; }

        /// <summary>What the other flag of the same range may hold just before this store.</summary>
        internal BoolValue Other { get; }

        /// <summary>The assignment, initializer member, constructor argument or <c>with</c> member.</summary>
        internal SyntaxNode ReportNode { get; }

        /// <summary>The expression whose value is stored (what a fix rewrites).</summary>
        internal SyntaxNode ValueNode { get; }
    }

    /// <summary>
    /// What a rule watches while the fixed point is computed: each callback is called for an
    /// operation every time a path state reaching it is transferred, which is at least once
    /// with the final state and possibly before with smaller ones (see <see cref="ForwardDataflow"/>).
    /// So a callback must be monotone (whatever it reports from a state, it also reports from a
    /// larger one: report on "may be true", never on "cannot be") and idempotent (seeing the
    /// same operation again adds nothing new), and only <see cref="Complete"/> may report.
    /// The state a callback is given is the transfer's working copy, changed in place after the
    /// callback returns: read it during the callback; one that keeps it publishes it first
    /// (<see cref="FlowState.Publish"/>). Publishing every state handed out made the transfer
    /// copy the whole state at the next change after each call.
    /// </summary>
    internal abstract class FlowObserver
    {
        /// <summary>
        /// True when the observer reads <see cref="OnInvocation"/>'s state: handing the state
        /// out publishes it, so the next change copies it, a cost not paid for observers that do not look.
        /// </summary>
        internal virtual bool ObservesInvocations => false;

        internal virtual void OnFlagAssigned(in FlagAssignment assignment)
        {
        }

        /// <summary>
        /// The fixed point of one graph (the method's own, or a nested function's), before
        /// <see cref="Complete"/>: the input states of its blocks (null where unreachable), and
        /// the transfer, to replay a block without observing it (what reaches each return).
        /// </summary>
        internal virtual void OnFixedPoint(Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph graph, PathStates?[] inputs, IFlowTransfer transfer, bool isMethodBody)
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

        /// <summary>
        /// A call to a helper that sets both flags of a range from values its callers give
        /// (<see cref="MethodSummaries.BothFlagsFromCallers"/>), with those values bound to this
        /// call's arguments; only when <see cref="ObservesFlagsFromCallers"/>.
        /// </summary>
        internal virtual void OnFlagsFromArguments(IInvocationOperation invocation, BoolValue first, BoolValue second)
        {
        }

        /// <summary>True when the observer reads <see cref="OnFlagsFromArguments"/> (KVM0001).</summary>
        internal virtual bool ObservesFlagsFromCallers => false;

        /// <summary>
        /// A call to a method of the compilation, with its arguments evaluated and before its
        /// effects: <paramref name="bind"/> turns a value of the callee's summary that comes from
        /// its callers (a parameter, a flag of one, <c>this</c>) into this call's; only when
        /// <see cref="ObservesCallBindings"/> (KVM0002 and KVM0005: a path's filter given by its callers).
        /// </summary>
        internal virtual void OnCallBinding(IInvocationOperation invocation, System.Func<BoolValue, BoolValue> bind)
        {
        }

        /// <summary>True when the observer reads <see cref="OnCallBinding"/>.</summary>
        internal virtual bool ObservesCallBindings => false;

        /// <summary>
        /// A delegate the method was given (its parameter, or a delegate field of one) is invoked,
        /// with the state there; only when <see cref="ObservesInvocations"/>.
        /// </summary>
        internal virtual void OnParameterDelegateInvoked(int ordinal, string? member, IInvocationOperation invocation, FlowState state)
        {
        }

        /// <summary>
        /// A call that is no invocation (a constructor, an accessor, an operator of this
        /// compilation), before it runs; only when <see cref="ObservesInvocations"/>.
        /// </summary>
        internal virtual void OnCall(IOperation call, IMethodSymbol method, FlowState state)
        {
        }

        /// <summary>True when the observer reads <see cref="OnLockCall"/> (KVM0006, KVM0007).</summary>
        internal virtual bool ObservesLockEvents => false;

        /// <summary>
        /// A call that takes, tries, asserts or drops mmu_lock (its form, a guard's Dispose, a
        /// helper with a lock effect, or the creation of an object whose constructor takes it),
        /// with where that lock's state is kept, whether the method can name the lock's owner, and
        /// the state just before the call; only when <see cref="ObservesLockEvents"/>.
        /// </summary>
        internal virtual void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
        {
        }

        /// <summary>A call, with its arguments evaluated (their places, where known) and before its effects; only when <see cref="ObservesInvocations"/>.</summary>
        internal virtual void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
        {
        }

        /// <summary>A lambda's delegate is made here (it runs when invoked, not here); only when <see cref="ObservesInvocations"/>.</summary>
        internal virtual void OnLambdaCreated(IMethodSymbol lambda, FlowState state)
        {
        }
    }
}
