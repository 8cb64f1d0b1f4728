using System.Collections.Generic;
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
        /// <summary>
        /// The delegate a delegate invocation runs, when it is the method's own parameter or a
        /// delegate field of one (<c>range->on_lock(kvm)</c>, <c>range.handler(...)</c>, also
        /// through <c>?.</c>, which the graph captures first): the parameter's ordinal and the
        /// member (null for the parameter itself).
        /// </summary>
        private (int Ordinal, string? Member)? InvokedParameterDelegate(IOperation? instance)
        {
            for (var depth = 0; instance is not null && depth < 4; depth++)
            {
                switch (instance)
                {
                    case IConversionOperation conversion:
                        instance = conversion.Operand;
                        continue;
                    case IFlowCaptureReferenceOperation capture when _capturedReferences.TryGetValue(capture.Id, out var captured):
                        instance = captured;
                        continue;
                    case IParameterReferenceOperation parameter:
                        return (parameter.Parameter.Ordinal, null);
                    case IMemberReferenceOperation { Instance: IParameterReferenceOperation owner } member:
                        return (owner.Parameter.Ordinal, member.Member.Name);
                    default:
                        return null;
                }
            }

            return null;
        }

        /// <summary>What a delegate invocation's capture holds (<c>ops.kvm_flush_remote_tlbs?.Invoke(kvm)</c> invokes a capture of the field), or null.</summary>
        private IOperation? CapturedDelegate(IInvocationOperation invocation) =>
            invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke
            && invocation.Instance is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var captured)
                ? captured
                : null;

        /// <summary>Where the analysis keeps whether mmu_lock is held (one abstract lock per method).</summary>
        internal static readonly FlowLocation LockLocation = new FlowLocation(FlowLocation.MmuLockRoot, string.Empty);

        /// <summary>
        /// Runs a call: its arguments, then its effects (lock, flags, flushes). Returns the place of
        /// what it returns, if any (a range, a try-lock's result), and in <paramref name="returned"/>
        /// the bool it returns where a flag rule can know it (see <see cref="MethodSummaries.ReturnedBoolOf"/>).
        /// </summary>
        private FlowLocation Invoke(IInvocationOperation invocation, out BoolValue returned)
        {
            returned = BoolValue.Unknown;
            var method = invocation.TargetMethod;
            var receiver = invocation.Instance is null ? default : EvaluateWithPlace(invocation.Instance).Place;
            var arguments = EvaluateArguments(method, invocation.Arguments, receiver);
            var argumentPlaces = arguments.Places;
            if (_observe && _tracksFlags && _observer is { ObservesFlagsFromCallers: true } && !method.DeclaringSyntaxReferences.IsEmpty)
            {
                foreach (var (first, second) in _summaries.BothFlagsFromCallers(method))
                {
                    _observer.OnFlagsFromArguments(invocation, Bind(first, arguments), Bind(second, arguments));
                }
            }

            // (A local function with no parameter may hand on what it reads of its method's.)
            if (_observe && _tracksFlags && _observer is { ObservesCallBindings: true } && !method.DeclaringSyntaxReferences.IsEmpty
                && (!invocation.Arguments.IsEmpty || method.MethodKind == MethodKind.LocalFunction))
            {
                _observer.OnCallBinding(invocation, value => Bind(value, arguments));
            }

            // A lock guard's Dispose (its using's, or by hand) is its release, which OnLockCall
            // reports; it is not every Dispose of the compilation that an IDisposable call may run.
            var disposesAGuard = _tracksLock && DisposesAGuard(invocation, receiver);
            if (_observe && _observer is { ObservesInvocations: true } && !disposesAGuard)
            {
                _observer.OnInvocation(invocation, argumentPlaces, _state);
                if (method.MethodKind == MethodKind.DelegateInvoke && InvokedParameterDelegate(invocation.Instance) is { } invoked)
                {
                    _observer.OnParameterDelegateInvoked(invoked.Ordinal, invoked.Member, invocation, _state);
                }
            }

            // Classified before the call's other effects (a guard's Dispose is recognised by the guard mark).
            var byForm = false;
            var lockEffect = _tracksLock ? ClassifyLockCall(invocation, receiver, out byForm) : LockEffect.None;
            var owner = lockEffect == LockEffect.None ? default : LockOwner(invocation, receiver, argumentPlaces, byForm);
            ApplyFlagEffects(invocation, arguments);

            if (_unkeptZaps is not null && _summaries.MayFlushTlbs(invocation, CapturedDelegate(invocation)))
            {
                NoteFlushMayHaveRun();
            }

            // flush_and_unlock(kvm): what a release helper flushes for before its release is
            // flushed for before the release is seen.
            if (_tracksFlush && lockEffect == LockEffect.Release && _summaries.FlushBeforeReleaseOf(method) is { IsNone: false } flushedFirst)
            {
                if (flushedFirst.All)
                {
                    _state = _state.Edit().SettleFlushes();
                }
                else
                {
                    SettleFlushesPassed(invocation, argumentPlaces, flushedFirst.Parameters);
                }
            }

            if (lockEffect != LockEffect.None && _observe && _observer is { ObservesLockEvents: true })
            {
                _observer.OnLockCall(invocation, lockEffect, LockOf(owner), owner.IsValid, _state);
            }

            if (_tracksFlush && _summaries.FlushesTlbs(invocation, CapturedDelegate(invocation)))
            {
                _state = _state.Edit().SettleFlushes();
            }
            else if (_tracksFlush && !invocation.Arguments.IsEmpty)
            {
                SettleFlushesPassed(invocation, argumentPlaces, _summaries.FlushesWhenTrue(invocation.TargetMethod));
            }

            var result = default(FlowLocation);
            switch (lockEffect)
            {
                case LockEffect.Acquire when owner.IsValid && _state.Get(LockOf(owner)) is var held && LockOperations.IsUpgrade(invocation, held.IsDefinitelyTrue, held.TrueSites):
                    // Held as it was (where the upgradeable read lock was taken), now for write too.
                    SetState(LockOf(owner).With(PlaceFact.Upgraded), BoolValue.True);
                    break;
                case LockEffect.Release when owner.IsValid && LockOperations.IsDowngrade(invocation, _state.Upgraded(LockOf(owner))):
                    // The downgrade: the upgradeable read lock is still held.
                    SetState(LockOf(owner).With(PlaceFact.Upgraded), BoolValue.False);
                    break;
                case LockEffect.Acquire:
                case LockEffect.AssertHeld:
                    SetState(LockOf(owner), BoolValue.True.StoredAt(invocation.Syntax));
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

                case LockEffect.Release when disposesAGuard && LockTakenBy(receiver) is { IsValid: true } taken:
                    SetState(taken, BoolValue.False);
                    break;
                case LockEffect.Release:
                    Release(owner);
                    break;
                case LockEffect.GuardAcquire:
                    result = TakeByGuard(invocation, owner);
                    break;
            }

            if (lockEffect == LockEffect.Release)
            {
                OwedFlushesReleased();
            }

            if (!result.IsValid && _tracksFlags)
            {
                if (_summaries.ReturnedFlagsOf(method) is { } returnedRange)
                {
                    result = ReturnedRange(invocation, returnedRange, arguments);
                }
                else if (method.DeclaringSyntaxReferences.IsEmpty && _roles.IsRuntimeRangeFactory(method))
                {
                    result = RangeWithFilter(invocation);
                }
                else if (lockEffect == LockEffect.None && !LockOperations.MayBeALockCall(invocation, _roles) && _summaries.ReturnedBoolOf(method) is { OnlyShared: { } value } summary)
                {
                    returned = BindByPath(value, summary.OnlySharedByPath, summary.DecidedByPath, arguments);
                }
            }

            // The call may have run any lambda or local function of the method; the ones it
            // certainly runs leave in the ranges they captured what their summaries say.
            ForgetWrittenInFunctions();
            ApplyCapturedFlagEffects(invocation, arguments);
            NoteCapturedZapResults(invocation);
            return result;
        }

        /// <summary>
        /// A bool a lambda or local function this call runs keeps a zap's "flush needed" in
        /// (<see cref="MethodSummaries.CapturedZapResultsOf"/>) owes a TLB flush from here, as
        /// <c>flush |= zap(...)</c> written here would (KVM0006); what the call left in the bool
        /// itself is unknown, so <c>if (flush) kvm_flush_remote_tlbs(kvm);</c> still settles it.
        /// </summary>
        private void NoteCapturedZapResults(IInvocationOperation invocation)
        {
            if (!_tracksFlush || _writtenInFunctions.IsEmpty)
            {
                return;
            }

            foreach (var function in NestedFunctionsRun.RunBy(invocation, _summaries))
            {
                foreach (var (holder, zap) in _summaries.CapturedZapResultsOf(function))
                {
                    var place = PlaceOfLocal(holder);
                    SetState(place.With(PlaceFact.FlushOwed), BoolValue.True.StoredAt(zap.Syntax));
                }
            }
        }

        /// <summary>
        /// What the lambda or local function this call runs once (a local function's call, a
        /// delegate invocation of a known lambda) leaves in the flags of the ranges it captured,
        /// bound to the call's arguments. ForEach and a port's iterator may run theirs any number
        /// of times, none included, so what those write stays as forgetting it left it; and so does
        /// a range another nested function writes too: that one may run from inside this one,
        /// after its stores.
        /// </summary>
        private void ApplyCapturedFlagEffects(IInvocationOperation invocation, CallArguments arguments)
        {
            if (!_tracksFlags || _writtenInFunctions.IsEmpty || invocation.TargetMethod.MethodKind is not (MethodKind.DelegateInvoke or MethodKind.LocalFunction))
            {
                return;
            }

            foreach (var function in NestedFunctionsRun.RunBy(invocation, _summaries))
            {
                foreach (var (local, effect) in _summaries.CapturedFlagEffectsOf(function))
                {
                    if (!WrittenOnlyBy(local, function))
                    {
                        continue;
                    }

                    var place = PlaceOfLocal(local);
                    ApplyFlagEffect(effect, place, local.Type, invocation.Syntax, arguments.Running(function));
                }
            }
        }

        private bool WrittenOnlyBy(ILocalSymbol local, IMethodSymbol function)
        {
            foreach (var written in _writtenInFunctions)
            {
                if (SymbolEqualityComparer.Default.Equals(written.Local, local) && !SymbolEqualityComparer.Default.Equals(written.Function.OriginalDefinition, function.OriginalDefinition))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The runtime's <c>KvmGfnRange.WithFilter(slot, start, end, filter)</c>: a range that is
        /// shared-only where the filter is Shared alone and private-only where it is Private alone.
        /// </summary>
        private FlowLocation RangeWithFilter(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { Type.TypeKind: TypeKind.Enum })
                {
                    var (shared, @private) = EvaluateFilter(argument.Value, evaluate: false);
                    return NewRange(invocation, And(@private, shared.Negate()), And(shared, @private.Negate()));
                }
            }

            return default;
        }

        /// <summary>
        /// The range a helper of the compilation returns (<c>KvmGfnRange.Shared(slot, s, e)</c>): a
        /// place of its own, holding the helper's returned flags bound to this call's arguments.
        /// Not a store the rules observe: where the helper sets both flags, its body is reported.
        /// </summary>
        private FlowLocation ReturnedRange(IOperation call, FlagEffect returned, CallArguments arguments) =>
            NewRange(
                call,
                BindByPath(returned.OnlyPrivate ?? BoolValue.Unknown, returned.OnlyPrivateByPath, returned.DecidedByPath, arguments),
                BindByPath(returned.OnlyShared ?? BoolValue.Unknown, returned.OnlySharedByPath, returned.DecidedByPath, arguments));

        /// <summary>The place of the range a call returns, holding these flags (nothing else of it is known).</summary>
        private FlowLocation NewRange(IOperation call, BoolValue onlyPrivate, BoolValue onlyShared)
        {
            var place = new FlowLocation(call, string.Empty);
            ForgetState(place);
            SetFlagState(place, FlagKind.OnlyPrivate, onlyPrivate);
            SetFlagState(place, FlagKind.OnlyShared, onlyShared);
            return place;
        }

        /// <summary>
        /// A release past a zap's unflushed result is where KVM0006 reports it (its observer has seen
        /// the release): later releases owe nothing more for it, so one missing flush is one finding,
        /// at the first release, whatever the method does after.
        /// </summary>
        private void OwedFlushesReleased()
        {
            if (_tracksFlush && _state.HasAnyOwedFlush())
            {
                _state = _state.Edit().SettleFlushes();
            }
        }

        /// <summary>
        /// A call that may flush the TLBs (a flush, or a helper whose body may reach one) may be the
        /// flush a discarded zap result asked for, under a condition the analysis cannot relate to it.
        /// </summary>
        private void NoteFlushMayHaveRun()
        {
            if (!_state.HasAnyOwedFlush())
            {
                return;
            }

            List<FlowLocation>? unkept = null;
            foreach (var (holder, _) in _state.PlacesWhere(PlaceFact.FlushOwed))
            {
                if (holder.Root is IOperation)
                {
                    (unkept ??= new List<FlowLocation>()).Add(holder);
                }
            }

            for (var i = 0; unkept is not null && i < unkept.Count; i++)
            {
                SetState(unkept[i].With(PlaceFact.FlushMayHaveRun), BoolValue.True);
            }
        }

        /// <summary>
        /// <c>flush_if(kvm, flush)</c>: a helper that flushes on every path where a bool parameter is
        /// true settles what the zap's result passed for it owed (where it is false, none was owed).
        /// </summary>
        private void SettleFlushesPassed(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, ImmutableArray<int> flushedFor)
        {
            for (var i = 0; i < invocation.Arguments.Length && !flushedFor.IsEmpty; i++)
            {
                if (invocation.Arguments[i].Parameter is { } parameter && flushedFor.Contains(parameter.Ordinal) && argumentPlaces[i].IsValid
                    && _state.Get(argumentPlaces[i].With(PlaceFact.FlushOwed)).MayBeTrue)
                {
                    SetState(argumentPlaces[i].With(PlaceFact.FlushOwed), BoolValue.False);
                }
            }
        }

        /// <summary>
        /// <c>new ScopedWriteLock(kvm)</c>: a constructor of the compilation that takes the lock on
        /// every path takes it where the object is made (SPEC section 2: constructors are calls
        /// too), of the VM it is given. When the type's Dispose drops the lock, the object is a lock
        /// guard, released where it is disposed, as a guard a call on the lock returns. Returns the
        /// guard's place, or none.
        /// </summary>
        private FlowLocation TakeLockByConstructor(IObjectCreationOperation creation)
        {
            if (creation.Constructor is not { DeclaringSyntaxReferences.IsEmpty: false } constructor)
            {
                return default;
            }

            var owner = default(FlowLocation);
            if (_summaries.LockEffectOf(constructor) == LockEffect.Acquire)
            {
                foreach (var argument in creation.Arguments)
                {
                    if (argument.Value.Type is { IsReferenceType: true, TypeKind: not TypeKind.Delegate } && PlaceOf(argument.Value, _state) is { IsValid: true } place)
                    {
                        owner = Canonical(place);
                        break;
                    }
                }
            }
            else if (_summaries.LockedArgument(constructor, creation.Arguments, _isLockReference) is { Effect: LockEffect.Acquire } locked)
            {
                // new write_lock_guard(kvm.mmu_lock): the lock it is given.
                owner = OwnerOfLock(locked.Argument);
            }
            else
            {
                return default;
            }

            var guard = _summaries.IsLockGuard(creation.Type);
            if (_observe && _observer is { ObservesLockEvents: true })
            {
                _observer.OnLockCall(creation, guard ? LockEffect.GuardAcquire : LockEffect.Acquire, LockOf(owner), owner.IsValid, _state);
            }

            if (!guard)
            {
                SetState(LockOf(owner), BoolValue.True.StoredAt(creation.Syntax));
                return default;
            }

            return TakeByGuard(creation, owner);
        }

        /// <summary>
        /// A lock guard <paramref name="made"/> takes <paramref name="owner"/>'s lock; the guard it
        /// returns is marked with where it was made, so that its Dispose drops that lock.
        /// </summary>
        private FlowLocation TakeByGuard(IOperation made, FlowLocation owner)
        {
            var site = made.Syntax;
            var taken = LockOf(owner);
            SetState(taken, BoolValue.True.StoredAt(site));
            _guardLocks[site] = taken;
            var result = new FlowLocation(made, string.Empty);
            SetState(result.With(PlaceFact.Guard), BoolValue.True.StoredAt(site));
            SetState(result.With(PlaceFact.NonNull), BoolValue.True);
            return result;
        }

        /// <summary>
        /// The lock the guard at <paramref name="guard"/> took, when every guard it may hold took
        /// the same one; none otherwise (its Dispose then drops every lock it may be).
        /// </summary>
        private FlowLocation LockTakenBy(FlowLocation guard)
        {
            var taken = default(FlowLocation);
            foreach (var site in _state.Get(guard.With(PlaceFact.Guard)).TrueSites)
            {
                if (!_guardLocks.TryGetValue(site, out var place) || (taken.IsValid && !taken.Equals(place)))
                {
                    return default;
                }

                taken = place;
            }

            return taken;
        }

        /// <summary>The Dispose of a lock guard the method made (a using's, or by hand): its release.</summary>
        private bool DisposesAGuard(IInvocationOperation invocation, FlowLocation receiver) =>
            invocation.TargetMethod.Name == "Dispose" && receiver.IsValid && _state.Get(receiver.With(PlaceFact.Guard)).MayBeTrue;

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
        private LockEffect ClassifyLockCall(IInvocationOperation invocation, FlowLocation receiver, out bool byForm)
        {
            byForm = true;
            var effect = LockOperations.Classify(invocation, _roles, _isLockReference);
            if (effect != LockEffect.None)
            {
                return effect;
            }

            byForm = false;
            if (DisposesAGuard(invocation, receiver))
            {
                return LockEffect.Release;
            }

            var summary = _summaries.LockEffectOf(invocation);
            if (summary == LockEffect.None && _summaries.LockedArgument(invocation.TargetMethod, invocation.Arguments, _isLockReference) is { } locked)
            {
                // guard_write_lock(kvm.mmu_lock), lock_it(kvm.mmu_lock): the lock it is given, named like a lock call's.
                byForm = true;
                return locked.Effect;
            }

            return summary;
        }

        /// <summary>
        /// Whose mmu_lock a lock call takes or drops: the owner of the lock it names
        /// (<c>write_lock(&amp;kvm->mmu_lock)</c>, <c>kvm.MmuLock.WriteLock()</c>), else the VM it is
        /// given (<c>KVM_MMU_LOCK(kvm)</c>, a helper that takes the lock of its argument) or called
        /// on; none (invalid) when the method cannot name it (a guard's Dispose, a helper that
        /// drops a lock, a call of no object).
        /// </summary>
        private FlowLocation LockOwner(IInvocationOperation invocation, FlowLocation receiver, ImmutableArray<FlowLocation> argumentPlaces, bool byForm)
        {
            if (byForm)
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (IsLockReference(argument.Value))
                    {
                        return OwnerOfLock(argument.Value);
                    }
                }

                if (invocation.Instance is { } instance && IsLockReference(instance))
                {
                    return OwnerOfLock(instance);
                }
            }
            else if (invocation.TargetMethod.Name == "Dispose")
            {
                return default;
            }

            // A VM: an object, not a delegate (a lambda that takes the lock names no VM here).
            static bool MayBeAVm(ITypeSymbol? type) => type is { IsReferenceType: true, TypeKind: not TypeKind.Delegate };
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                if (MayBeAVm(invocation.Arguments[i].Value.Type) && argumentPlaces[i].IsValid)
                {
                    return Canonical(argumentPlaces[i]);
                }
            }

            return receiver.IsValid && MayBeAVm(invocation.Instance?.Type) ? Canonical(receiver) : default;
        }

        /// <summary>The object whose lock <paramref name="lockReference"/> names: the instance of <c>kvm.mmu_lock</c>, or the owner a lock local was made from.</summary>
        private FlowLocation OwnerOfLock(IOperation lockReference)
        {
            switch (LockOperations.Unwrap(lockReference))
            {
                case IMemberReferenceOperation { Instance: null } member:
                    return FlowLocation.ForSymbol(member.Member);
                case IMemberReferenceOperation { Instance: { } instance }:
                    return PlaceOf(instance, _state) is { IsValid: true } place ? Canonical(place) : default;
                case var local:
                    return PlaceOf(local, _state) is { IsValid: true } holder && _lockOwners.TryGetValue(holder, out var owner) ? owner : default;
            }
        }

        /// <summary>Where the lock of <paramref name="owner"/> is kept, or the lock of no known owner.</summary>
        private static FlowLocation LockOf(FlowLocation owner) => owner.IsValid ? owner.With(PlaceFact.LockHeld) : LockLocation;

        /// <summary>
        /// Drops <paramref name="owner"/>'s lock. Each variable is its own VM (SPEC section 2:
        /// <c>KVM_MMU_UNLOCK(b)</c> does not release <c>a</c>'s lock), but what the method cannot tell
        /// apart from it is released too: the lock of no known owner, and every lock named through a
        /// member (<c>range.kvm</c> may be the same VM). A release whose lock the method cannot name
        /// releases them all.
        /// </summary>
        private void Release(FlowLocation owner)
        {
            var own = owner.IsValid && owner.Path.Length == 0 ? LockOf(owner) : default;

            // Nothing on this path took or dropped it before, nor holds a lock of no known owner
            // (a try-lock's, a helper's) that this may be: the lock was the caller's.
            var callers = owner.IsValid && _state.Get(LockOf(owner)).IsPureUnknown && !_state.Get(LockLocation).IsDefinitelyTrue;
            _state = _state.Edit().ReleaseLocks(own);
            if (own.IsValid)
            {
                SetState(own, BoolValue.False);
            }

            if (callers)
            {
                SetState(owner.With(PlaceFact.CallersLockDropped), BoolValue.True);
            }

            SetState(LockLocation, BoolValue.False);
        }

        /// <summary>A variable that was given another's object stands for that object (<c>var k = kvm;</c>).</summary>
        private FlowLocation Canonical(FlowLocation place)
        {
            for (var depth = 0; depth < 8 && place.Path.Length == 0 && _aliases.TryGetValue(place, out var aliased); depth++)
            {
                place = aliased;
            }

            return place;
        }

        /// <summary>True when the operation denotes kvm->mmu_lock (through conversions, &amp;, captures and locals).</summary>
        private bool IsLockReference(IOperation operation)
        {
            operation = LockOperations.Unwrap(operation);
            if (_lockGiven is not null && _lockGiven(operation))
            {
                return true;
            }

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
        private void ApplyFlagEffects(IInvocationOperation invocation, CallArguments arguments)
        {
            var effects = _summaries.FlagEffectsOf(invocation.TargetMethod);
            var places = arguments.Places;
            var receiver = arguments.Receiver;
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                var argument = invocation.Arguments[i];
                if (effects is not null && argument.Parameter is { } parameter && effects.ForParameter(parameter.Ordinal) is { } effect && places[i].IsValid)
                {
                    ApplyFlagEffect(effect, places[i], parameter.Type, invocation.Syntax, arguments);
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
                ApplyFlagEffect(thisEffect, receiver, method.ContainingType, invocation.Syntax, arguments);
            }
            else if (!(method.IsReadOnly || (invocation.Instance!.Type?.IsReadOnly ?? false)))
            {
                // A method on the range's container may change what it holds, but not a range's
                // flags unless its summary says so.
                ForgetKeepingMarks(receiver, keepFlags: effects is null);
            }
        }

        /// <summary>
        /// A helper's flag stores, as if made at the call, evaluated with the call's arguments
        /// (<c>init(ref r, shared: true)</c> writing <c>only_shared = shared</c> sets it true here):
        /// a flag it clears first, then a flag it may set, so that KVM0001 sees the call make the
        /// second flag true. When the helper sets both by itself (constants), its own body is
        /// where that is reported.
        /// </summary>
        private void ApplyFlagEffect(FlagEffect effect, FlowLocation range, ITypeSymbol? rangeType, SyntaxNode call, CallArguments arguments)
        {
            var setsBoth = effect.OnlyPrivate is { MayBeTrue: true } && effect.OnlyShared is { MayBeTrue: true };
            var onlyPrivate = effect.OnlyPrivate is { } p ? BindByPath(p, effect.OnlyPrivateByPath, effect.DecidedByPath, arguments) : (BoolValue?)null;
            var onlyShared = effect.OnlyShared is { } q ? BindByPath(q, effect.OnlySharedByPath, effect.DecidedByPath, arguments) : (BoolValue?)null;
            var observe = _observe;
            _observe = observe && !setsBoth;
            try
            {
                foreach (var clearing in new[] { true, false })
                {
                    foreach (var flag in new[] { FlagKind.OnlyPrivate, FlagKind.OnlyShared })
                    {
                        if ((flag == FlagKind.OnlyPrivate ? onlyPrivate : onlyShared) is { } value && value.MayBeTrue != clearing)
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

        /// <summary>
        /// A helper's flag at this call: each path's value bound to the arguments, then joined (see
        /// <see cref="FlagEffect.OnlyPrivateByPath"/>), leaving out a path that decided a bool
        /// parameter the other way from the argument (see <see cref="FlagEffect.DecidedByPath"/>).
        /// </summary>
        private BoolValue BindByPath(BoolValue joined, ImmutableArray<BoolValue> byPath, ImmutableArray<ImmutableArray<(int Ordinal, bool Value)>> decidedByPath, CallArguments arguments)
        {
            if (byPath.IsDefaultOrEmpty)
            {
                return Bind(joined, arguments);
            }

            BoolValue? result = null;
            for (var i = 0; i < byPath.Length; i++)
            {
                if (!decidedByPath.IsDefault && RuledOut(decidedByPath[i], arguments))
                {
                    continue;
                }

                var bound = Bind(byPath[i], arguments);
                result = result is { } sofar ? sofar.Join(bound) : bound;
            }

            return result ?? Bind(joined, arguments);
        }

        /// <summary>Does an argument say the opposite of what the path decided of its parameter?</summary>
        private static bool RuledOut(ImmutableArray<(int Ordinal, bool Value)> decided, CallArguments arguments)
        {
            foreach (var (ordinal, value) in decided)
            {
                var index = arguments.IndexOf(ordinal);
                if (index >= 0 && (value ? arguments.Values[index].IsDefinitelyFalse : arguments.Values[index].IsDefinitelyTrue))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A value from a helper's summary as it is at this call: one the helper took from its own
        /// parameter (or a flag of one, or of <c>this</c>) becomes the argument's; any other stays.
        /// </summary>
        private BoolValue Bind(BoolValue value, CallArguments arguments)
        {
            if (value.IsPureUnknown && value.Origin is ComparisonOrigin test)
            {
                return value.Negated ? BindTest(test, arguments).Negate() : BindTest(test, arguments);
            }

            if (!value.IsPureUnknown || value.Origin is not FlowLocation origin)
            {
                return value;
            }

            BoolValue bound;
            if (origin.Root is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, arguments.Callee.OriginalDefinition))
            {
                var index = arguments.IndexOf(parameter.Ordinal);
                if (index < 0)
                {
                    return BoolValue.Unknown;
                }

                // A filter parameter's bit is the argument's, read as a filter (a constant is no place,
                // and an enum member is a static field's place that holds nothing).
                bound = !origin.IsFlag ? arguments.Values[index]
                    : SymbolRoles.IsFilterType(parameter.Type) ? ArgumentBit(arguments.ValueAt(index), origin.Fact)
                    : arguments.Places[index].IsValid ? ReadPlace(arguments.Places[index].With(origin.Fact), isBool: true)
                    : BoolValue.Unknown;
            }
            else if (ReferenceEquals(origin.Root, FlowLocation.ThisRoot) && origin.IsFlag && origin.Path.Length == 0 && arguments.Receiver.IsValid)
            {
                bound = ReadPlace(arguments.Receiver.With(origin.Fact), isBool: true);
            }
            else if ((origin.Root is IParameterSymbol captured && NestedFunctionCallers.IsNestedIn(arguments.Callee, captured.ContainingSymbol))
                || (origin.Root is ILocalSymbol capturedLocal && NestedFunctionCallers.IsNestedIn(arguments.Callee, capturedLocal.ContainingSymbol))
                || (ReferenceEquals(origin.Root, FlowLocation.ThisRoot) && arguments.Callee.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction))
            {
                // `bool side() => p;`: a local function's read of its method's parameter (or of
                // a local it captured, or of `this`) is what that holds where it is called.
                bound = ReadPlace(origin, isBool: true);
            }
            else
            {
                return BoolValue.Unknown;
            }

            return value.Negated ? bound.Negate() : bound.WithoutSites();
        }

        /// <summary>
        /// A bit of an attr_filter argument that is no place (`KVM_FILTER_PRIVATE`, `a | b`): its
        /// value, already evaluated, read again without running anything; unknown for anything else.
        /// </summary>
        private BoolValue ArgumentBit(IOperation value, PlaceFact bit)
        {
            var (shared, @private) = EvaluateFilter(value, evaluate: false);
            return bit == PlaceFact.OnlyShared ? shared : @private;
        }

        /// <summary>Evaluates a call's arguments in order: their values and the places they denote.</summary>
        private CallArguments EvaluateArguments(IMethodSymbol callee, ImmutableArray<IArgumentOperation> arguments, FlowLocation receiver)
        {
            var places = ImmutableArray.CreateBuilder<FlowLocation>(arguments.Length);
            var values = ImmutableArray.CreateBuilder<BoolValue>(arguments.Length);
            foreach (var argument in arguments)
            {
                var (value, place) = EvaluateWithPlace(argument.Value);
                places.Add(place);
                values.Add(value);
            }

            return new CallArguments(callee, arguments, values.MoveToImmutable(), places.MoveToImmutable(), receiver);
        }

        /// <summary>A call's arguments as evaluated, by parameter: what a summary is bound to.</summary>
        private readonly struct CallArguments
        {
            private readonly ImmutableArray<IArgumentOperation> _arguments;

            internal CallArguments(IMethodSymbol callee, ImmutableArray<IArgumentOperation> arguments, ImmutableArray<BoolValue> values, ImmutableArray<FlowLocation> places, FlowLocation receiver)
            {
                Callee = callee;
                _arguments = arguments;
                Values = values;
                Places = places;
                Receiver = receiver;
            }

            internal IMethodSymbol Callee { get; }

            internal ImmutableArray<BoolValue> Values { get; }

            internal ImmutableArray<FlowLocation> Places { get; }

            internal FlowLocation Receiver { get; }

            /// <summary>The argument's value operation at that index.</summary>
            internal IOperation ValueAt(int index) => _arguments[index].Value;

            /// <summary>The arguments as the nested function this call runs once (a delegate invocation, a local function's call) sees them.</summary>
            internal CallArguments Running(IMethodSymbol function) => new CallArguments(function, _arguments, Values, Places, default);

            /// <summary>The index of the argument for the parameter of that ordinal (named arguments come in any order), or -1.</summary>
            internal int IndexOf(int ordinal)
            {
                for (var i = 0; !_arguments.IsDefault && i < _arguments.Length; i++)
                {
                    if (_arguments[i].Parameter?.Ordinal == ordinal)
                    {
                        return i;
                    }
                }

                return -1;
            }
        }

        /// <summary>Forgets what a callee may have changed below a place, but not that it is the lock or a guard.</summary>
        private void ForgetKeepingMarks(FlowLocation place, bool keepFlags = false)
        {
            var isLock = _state.Get(place.With(PlaceFact.IsLock));
            var guard = _state.Get(place.With(PlaceFact.Guard));
            var held = _state.Get(place.With(PlaceFact.LockHeld));
            if (keepFlags)
            {
                // Checked first: a working copy is made only when something is forgotten.
                if (_state.HasAnyButFlagsAtOrBelow(place))
                {
                    _state = _state.Edit().ForgetAllButFlags(place);
                }
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

            if (!held.Equals(BoolValue.Unknown))
            {
                // A callee given the VM does not change whether its lock is held (unless its summary says so).
                SetState(place.With(PlaceFact.LockHeld), held);
            }
        }
    }
}
