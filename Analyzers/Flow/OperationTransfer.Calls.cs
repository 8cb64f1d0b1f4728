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
        /// <summary>Marks a place that holds kvm->mmu_lock itself (a capture of <c>kvm.mmu_lock</c>).</summary>
        internal const string IsLockKey = "@islock";

        /// <summary>Marks a lock guard returned by a call on the lock (released by its Dispose).</summary>
        internal const string GuardKey = "@guard";

        internal const string NonNullKey = "@nonnull";

        /// <summary>Where the analysis keeps whether mmu_lock is held (one abstract lock per method).</summary>
        internal static readonly FlowLocation LockLocation = new FlowLocation(LockRoot.Instance, string.Empty);

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
                case LockEffect.Release:
                    SetState(LockLocation, BoolValue.False);
                    break;
                case LockEffect.GuardAcquire:
                    SetState(LockLocation, BoolValue.True.StoredAt(invocation.Syntax));
                    result = new FlowLocation(invocation, string.Empty);
                    SetState(result.Member(GuardKey), BoolValue.True);
                    SetState(result.Member(NonNullKey), BoolValue.True);
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

        /// <summary>What a call does to mmu_lock (SPEC section 3, "taking / dropping it" and "held on entry").</summary>
        private LockEffect ClassifyLockCall(IInvocationOperation invocation, FlowLocation receiver)
        {
            var method = invocation.TargetMethod;
            var name = method.Name;
            if (KnownNames.AcquireMacros.Contains(name) || Roles.Roles.HasAttribute(method, KnownNames.AcquiresMmuLockAttribute))
            {
                return LockEffect.Acquire;
            }

            if (KnownNames.ReleaseMacros.Contains(name) || Roles.Roles.HasAttribute(method, KnownNames.ReleasesMmuLockAttribute))
            {
                return LockEffect.Release;
            }

            if (HasLockArgument(invocation))
            {
                if (KnownNames.AcquireFunctions.Contains(name))
                {
                    return LockEffect.Acquire;
                }

                if (KnownNames.ReleaseFunctions.Contains(name))
                {
                    return LockEffect.Release;
                }

                if (KnownNames.LockdepAsserts.Contains(name))
                {
                    return LockEffect.AssertHeld;
                }

                if (method.ContainingType is { Name: "Monitor", ContainingNamespace: { Name: "Threading", ContainingNamespace.Name: "System" } })
                {
                    return name is "Enter" or "TryEnter" ? LockEffect.Acquire : name == "Exit" ? LockEffect.Release : LockEffect.None;
                }
            }

            if (invocation.Instance is { } instance && IsLockReference(instance))
            {
                // ReaderWriterLockSlim and look-alikes: Enter*Lock / TryEnter*Lock / Exit*Lock on the lock.
                if ((name.StartsWith("Enter", System.StringComparison.Ordinal) || name.StartsWith("TryEnter", System.StringComparison.Ordinal)) && name.EndsWith("Lock", System.StringComparison.Ordinal))
                {
                    return LockEffect.Acquire;
                }

                if (name.StartsWith("Exit", System.StringComparison.Ordinal) && name.EndsWith("Lock", System.StringComparison.Ordinal))
                {
                    return LockEffect.Release;
                }

                if (IsDisposable(method.ReturnType))
                {
                    return LockEffect.GuardAcquire;
                }
            }

            if (name == "Dispose" && receiver.IsValid && _state.Get(receiver.Member(GuardKey)).MayBeTrue)
            {
                return LockEffect.Release;
            }

            return _roles.Summaries.LockEffectOf(method);
        }

        private bool HasLockArgument(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (IsLockReference(argument.Value))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>True when the operation denotes kvm->mmu_lock (through conversions, &amp;, captures and locals).</summary>
        private bool IsLockReference(IOperation operation)
        {
            operation = Unwrap(operation);
            switch (operation)
            {
                case IMemberReferenceOperation member:
                    return _roles.IsMmuLockMember(member.Member);
                case IFlowCaptureReferenceOperation or ILocalReferenceOperation:
                    {
                        var place = PlaceOf(operation, _state);
                        return place.IsValid && _state.Get(place.Member(IsLockKey)).IsDefinitelyTrue;
                    }

                default:
                    return false;
            }
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    case IAddressOfOperation addressOf:
                        operation = addressOf.Reference;
                        continue;
                    default:
                        return operation;
                }
            }
        }

        private static bool IsDisposable(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_IDisposable)
            {
                return true;
            }

            foreach (var implemented in type.AllInterfaces)
            {
                if (implemented.SpecialType == SpecialType.System_IDisposable)
                {
                    return true;
                }
            }

            return type.IsRefLikeType && type.GetMembers("Dispose").Length > 0;
        }

        /// <summary>
        /// A helper of the same compilation that sets flags through a ref/out parameter or
        /// <c>this</c> has a summary; apply it. Otherwise forget what the callee could change.
        /// </summary>
        private void ApplyFlagEffects(IInvocationOperation invocation, FlowLocation receiver, ImmutableArray<FlowLocation> places)
        {
            var effects = _roles.Summaries.FlagEffectsOf(invocation.TargetMethod);
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                var argument = invocation.Arguments[i];
                if (effects is not null && argument.Parameter is { } parameter && effects.ForParameter(parameter.Ordinal) is { } effect && places[i].IsValid)
                {
                    ApplyFlagEffect(effect, places[i], invocation.Syntax);
                }
                else
                {
                    ForgetPassedRange(argument, places[i]);
                }
            }

            var method = invocation.TargetMethod;
            if (!receiver.IsValid || method.IsStatic)
            {
                return;
            }

            if (effects?.ForThis is { } thisEffect)
            {
                ApplyFlagEffect(thisEffect, receiver, invocation.Syntax);
            }
            else if (!(method.IsReadOnly || (invocation.Instance!.Type?.IsReadOnly ?? false)))
            {
                // A method on the range (or its container) may set its flags.
                ForgetKeepingMarks(receiver);
            }
        }

        /// <summary>
        /// A helper's flag stores, as if made at the call: a flag it clears first, then a flag it
        /// may set, so that KVM0001 sees the call make the second flag true. When the helper may
        /// set both, its own body is where that is reported.
        /// </summary>
        private void ApplyFlagEffect(FlagEffect effect, FlowLocation range, SyntaxNode call)
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
                            StoreFlag(range, flag, value, call, call);
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
        private void ForgetKeepingMarks(FlowLocation place)
        {
            var isLock = _state.Get(place.Member(IsLockKey));
            var guard = _state.Get(place.Member(GuardKey));
            if (_observe && _observer is not null)
            {
                _observer.OnValueStored(place);
            }

            ForgetState(place);
            if (isLock.IsDefinitelyTrue)
            {
                SetState(place.Member(IsLockKey), isLock);
            }

            if (guard.MayBeTrue)
            {
                SetState(place.Member(GuardKey), guard);
                SetState(place.Member(NonNullKey), BoolValue.True);
            }
        }

        /// <summary>The root of <see cref="LockLocation"/>.</summary>
        private sealed class LockRoot
        {
            internal static readonly LockRoot Instance = new LockRoot();

            public override string ToString() => "mmu_lock";
        }
    }
}
