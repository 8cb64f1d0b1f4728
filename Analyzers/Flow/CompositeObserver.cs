using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Several rules' observers on one run: each callback goes to the parts that asked for it,
    /// in order, so each part sees exactly what it would see on a run of its own (observers
    /// only read the state; they never change what the transfer does).
    /// </summary>
    internal sealed class CompositeObserver : FlowObserver
    {
        private readonly FlowObserver[] _parts;

        internal CompositeObserver(FlowObserver[] parts)
        {
            _parts = parts;
            foreach (var part in parts)
            {
                ObservesInvocationsOf |= part.ObservesInvocations;
                ObservesLockEventsOf |= part.ObservesLockEvents;
                ObservesFlagsFromCallersOf |= part.ObservesFlagsFromCallers;
            }
        }

        private bool ObservesInvocationsOf { get; }

        private bool ObservesLockEventsOf { get; }

        private bool ObservesFlagsFromCallersOf { get; }

        internal override bool ObservesInvocations => ObservesInvocationsOf;

        internal override bool ObservesLockEvents => ObservesLockEventsOf;

        internal override bool ObservesFlagsFromCallers => ObservesFlagsFromCallersOf;

        internal override void OnFlagAssigned(in FlagAssignment assignment)
        {
            foreach (var part in _parts)
            {
                part.OnFlagAssigned(assignment);
            }
        }

        internal override void OnValueStored(FlowLocation target)
        {
            foreach (var part in _parts)
            {
                part.OnValueStored(target);
            }
        }

        internal override void OnFlagsFromArguments(IInvocationOperation invocation, BoolValue first, BoolValue second)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesFlagsFromCallers)
                {
                    part.OnFlagsFromArguments(invocation, first, second);
                }
            }
        }

        internal override void OnParameterDelegateInvoked(int ordinal, string? member, IInvocationOperation invocation, FlowState state)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesInvocations)
                {
                    part.OnParameterDelegateInvoked(ordinal, member, invocation, state);
                }
            }
        }

        internal override void OnCall(IOperation call, IMethodSymbol method, FlowState state)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesInvocations)
                {
                    part.OnCall(call, method, state);
                }
            }
        }

        internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesInvocations)
                {
                    part.OnInvocation(invocation, argumentPlaces, state);
                }
            }
        }

        internal override void OnLockCall(IInvocationOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesLockEvents)
                {
                    part.OnLockCall(call, effect, lockPlace, ownerKnown, before);
                }
            }
        }

        internal override void OnFixedPoint(ControlFlowGraph graph, PathStates?[] inputs, IFlowTransfer transfer, bool isMethodBody)
        {
            foreach (var part in _parts)
            {
                part.OnFixedPoint(graph, inputs, transfer, isMethodBody);
            }
        }

        internal override void Complete()
        {
            foreach (var part in _parts)
            {
                part.Complete();
            }
        }
    }
}
