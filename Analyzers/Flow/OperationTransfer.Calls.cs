using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>What a call does to the state: lock effects, helper summaries, forgetting.</summary>
    internal sealed partial class OperationTransfer
    {
        /// <summary>Where the analysis keeps whether mmu_lock is held (one abstract lock per method).</summary>
        internal static readonly FlowLocation LockLocation = new FlowLocation(FlowLocation.MmuLockRoot, string.Empty);

        private FlowLocation Invoke(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            var receiver = invocation.Instance is null ? default : EvaluateWithPlace(invocation.Instance).Place;
            var places = ImmutableArray.CreateBuilder<FlowLocation>(invocation.Arguments.Length);
            foreach (var argument in invocation.Arguments)
            {
                places.Add(EvaluateWithPlace(argument.Value).Place);
            }

            var argumentPlaces = places.MoveToImmutable();
            if (_observe && _observer is { ObservesInvocations: true })
            {
                _observer.OnInvocation(invocation, argumentPlaces, _state.Publish());
            }

            // Classified before the call's other effects (a guard's Dispose is recognised by the guard mark).
            var lockEffect = _tracksLock ? ClassifyLockCall(invocation, receiver) : LockEffect.None;
            ApplyFlagEffects(invocation, receiver, argumentPlaces);

            var result = default(FlowLocation);
            switch (lockEffect)
            {
                case LockEffect.Acquire:
                case LockEffect.AssertHeld:
                    SetState(LockLocation, BoolValue.True.StoredAt(invocation.Syntax));
                    SetLockTakenArgument(invocation, argumentPlaces);
                    break;
                case LockEffect.TryAcquire:
                    {
                        // Held where it returned true: the result (or its ref bool) carries where
                        // it was tried, and a test of it takes the lock on its true side (Refine).
                        var tried = BoolValue.True.StoredAt(invocation.Syntax);
                        SetState(LockLocation, _state.Get(LockLocation).Join(tried));
                        result = new FlowLocation(invocation, string.Empty);
                        SetState(result.With(PlaceFact.TryLockTaken), tried);
                        for (var i = 0; i < invocation.Arguments.Length; i++)
                        {
                            if (invocation.Arguments[i].Parameter is { RefKind: RefKind.Ref, Type.SpecialType: SpecialType.System_Boolean } && argumentPlaces[i].IsValid)
                            {
                                SetState(argumentPlaces[i], BoolValue.Unknown);
                                SetState(argumentPlaces[i].With(PlaceFact.TryLockTaken), tried);
                            }
                        }

                        break;
                    }

                case LockEffect.Release:
                    SetState(LockLocation, BoolValue.False);
                    break;
                case LockEffect.GuardAcquire:
                    SetState(LockLocation, BoolValue.True.StoredAt(invocation.Syntax));
                    result = new FlowLocation(invocation, string.Empty);
                    SetState(result.With(PlaceFact.Guard), BoolValue.True);
                    SetState(result.With(PlaceFact.NonNull), BoolValue.True);
                    break;
            }

            return result;
        }

        /// <summary>Monitor.Enter(obj, ref lockTaken) returns with lockTaken set.</summary>
        private void SetLockTakenArgument(IInvocationOperation invocation, ImmutableArray<FlowLocation> places)
        {
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                if (invocation.Arguments[i].Parameter is { RefKind: RefKind.Ref, Type.SpecialType: SpecialType.System_Boolean } && places[i].IsValid)
                {
                    SetState(places[i], BoolValue.True);
                }
            }
        }

        /// <summary>
        /// What a call does to mmu_lock: its form (<see cref="LockOperations.Classify"/>, with the
        /// locals this analysis knows hold the lock), the Dispose of a guard, or the summary of a
        /// helper of this compilation.
        /// </summary>
        private LockEffect ClassifyLockCall(IInvocationOperation invocation, FlowLocation receiver)
        {
            var effect = LockOperations.Classify(invocation, _roles, _isLockReference);
            if (effect != LockEffect.None)
            {
                return effect;
            }

            if (invocation.TargetMethod.Name == "Dispose" && receiver.IsValid && _state.Get(receiver.With(PlaceFact.Guard)).MayBeTrue)
            {
                return LockEffect.Release;
            }

            return _summaries.LockEffectOf(invocation.TargetMethod);
        }

        /// <summary>True when the operation denotes kvm->mmu_lock (through conversions, &amp;, captures and locals).</summary>
        private bool IsLockReference(IOperation operation)
        {
            operation = LockOperations.Unwrap(operation);
            switch (operation)
            {
                case IMemberReferenceOperation member:
                    return _roles.IsMmuLockMember(member.Member);
                case IFlowCaptureReferenceOperation or ILocalReferenceOperation:
                    {
                        var place = PlaceOf(operation, _state);
                        return place.IsValid && _state.Get(place.With(PlaceFact.IsLock)).IsDefinitelyTrue;
                    }

                default:
                    return false;
            }
        }

        /// <summary>
        /// A helper of the same compilation that sets flags through a ref/out parameter or
        /// <c>this</c> has a summary; apply it. Otherwise forget what the callee could change.
        /// </summary>
        private void ApplyFlagEffects(IInvocationOperation invocation, FlowLocation receiver, ImmutableArray<FlowLocation> places)
        {
            var effects = _summaries.FlagEffectsOf(invocation.TargetMethod);
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                var argument = invocation.Arguments[i];
                if (effects is not null && argument.Parameter is { } parameter && effects.ForParameter(parameter.Ordinal) is { } effect && places[i].IsValid)
                {
                    ApplyFlagEffect(effect, places[i], parameter.Type, invocation.Syntax);
                }
                else
                {
                    // Only a helper of this compilation with a summary changes flags; any other
                    // callee (a delegate, an interface, an external method) may change the rest.
                    ForgetPassedRange(argument, places[i], keepFlags: effects is null);
                }
            }

            var method = invocation.TargetMethod;
            if (!receiver.IsValid || method.IsStatic)
            {
                return;
            }

            if (effects?.ForThis is { } thisEffect)
            {
                ApplyFlagEffect(thisEffect, receiver, method.ContainingType, invocation.Syntax);
            }
            else if (!(method.IsReadOnly || (invocation.Instance!.Type?.IsReadOnly ?? false)))
            {
                // A method on the range's container may change what it holds, but not a range's
                // flags unless its summary says so.
                ForgetKeepingMarks(receiver, keepFlags: effects is null);
            }
        }

        /// <summary>
        /// A helper's flag stores, as if made at the call: a flag it clears first, then a flag it
        /// may set, so that KVM0001 sees the call make the second flag true. When the helper may
        /// set both, its own body is where that is reported.
        /// </summary>
        private void ApplyFlagEffect(FlagEffect effect, FlowLocation range, ITypeSymbol? rangeType, SyntaxNode call)
        {
            var setsBoth = effect.OnlyPrivate is { MayBeTrue: true } && effect.OnlyShared is { MayBeTrue: true };
            var observe = _observe;
            _observe = observe && !setsBoth;
            try
            {
                foreach (var clearing in new[] { true, false })
                {
                    foreach (var flag in new[] { FlagKind.OnlyPrivate, FlagKind.OnlyShared })
                    {
                        if ((flag == FlagKind.OnlyPrivate ? effect.OnlyPrivate : effect.OnlyShared) is { } value && value.MayBeTrue != clearing)
                        {
                            StoreFlag(range, flag, rangeType, value, call, call);
                        }
                    }
                }
            }
            finally
            {
                _observe = observe;
            }
        }

        /// <summary>Forgets what a callee may have changed below a place, but not that it is the lock or a guard.</summary>
        private void ForgetKeepingMarks(FlowLocation place, bool keepFlags = false)
        {
            var isLock = _state.Get(place.With(PlaceFact.IsLock));
            var guard = _state.Get(place.With(PlaceFact.Guard));
            if (keepFlags)
            {
                _state = _state.Edit().ForgetAllButFlags(place);
            }
            else
            {
                if (_observe && _observer is not null)
                {
                    _observer.OnValueStored(place);
                }

                ForgetState(place);
            }

            if (isLock.IsDefinitelyTrue)
            {
                SetState(place.With(PlaceFact.IsLock), isLock);
            }

            if (guard.MayBeTrue)
            {
                SetState(place.With(PlaceFact.Guard), guard);
                SetState(place.With(PlaceFact.NonNull), BoolValue.True);
            }
        }
    }
}
