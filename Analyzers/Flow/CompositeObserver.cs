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
        private readonly bool _observesInvocations;
        private readonly bool _observesLockEvents;
        private readonly bool _observesFlagsFromCallers;
        private readonly bool _observesCallBindings;

        private CompositeObserver(FlowObserver[] parts)
        {
            _parts = parts;
            foreach (var part in parts)
            {
                _observesInvocations |= part.ObservesInvocations;
                _observesLockEvents |= part.ObservesLockEvents;
                _observesFlagsFromCallers |= part.ObservesFlagsFromCallers;
                _observesCallBindings |= part.ObservesCallBindings;
            }
        }

        internal override bool ObservesInvocations => _observesInvocations;

        internal override bool ObservesLockEvents => _observesLockEvents;

        internal override bool ObservesFlagsFromCallers => _observesFlagsFromCallers;

        internal override bool ObservesCallBindings => _observesCallBindings;

        /// <summary>The one part itself, or a composite of several (at least one part).</summary>
        internal static FlowObserver Of(System.Collections.Generic.List<FlowObserver> parts) =>
            parts.Count == 1 ? parts[0] : new CompositeObserver(parts.ToArray());

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

        internal override void OnCallBinding(IInvocationOperation invocation, System.Func<BoolValue, BoolValue> bind)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesCallBindings)
                {
                    part.OnCallBinding(invocation, bind);
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

        internal override void OnLambdaCreated(IMethodSymbol lambda, FlowState state)
        {
            foreach (var part in _parts)
            {
                if (part.ObservesInvocations)
                {
                    part.OnLambdaCreated(lambda, state);
                }
            }
        }

        internal override void OnLockCall(IOperation call, LockEffect effect, FlowLocation lockPlace, bool ownerKnown, FlowState before)
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
