using System;
using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Methods that take or drop the lock they are given rather than a VM's: cleanup.h's
    /// <c>guard(write_lock)(&amp;kvm->mmu_lock)</c> as a port writes it (a guard whose constructor
    /// takes <c>write_lock(l)</c> of its parameter and whose Dispose drops the field it kept it in,
    /// or a helper <c>guard_write_lock(l)</c> returning one), or <c>lock_it(rwlock_t l) =&gt;
    /// write_lock(l)</c>. Such a call takes (drops) mmu_lock where the argument it is given is the
    /// lock (<c>kvm.mmu_lock</c>): the SPEC's "methods whose body takes (or drops) the lock on every
    /// path", with the lock named by the caller.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, (int, LockEffect)> _lockParameterEffects =
            new ConcurrentDictionary<IMethodSymbol, (int, LockEffect)>(SymbolEqualityComparer.Default);

        private Func<IMethodSymbol, (int, LockEffect)>? _computeLockParameterEffect;

        /// <summary>
        /// The parameter whose lock the method takes (Acquire), drops (Release) or takes in the guard
        /// it returns (GuardAcquire) on every path, and that effect; (-1, None) when there is none.
        /// </summary>
        internal (int Ordinal, LockEffect Effect) LockEffectOnParameter(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.Parameters.IsEmpty || method.DeclaringSyntaxReferences.IsEmpty)
            {
                return (-1, LockEffect.None);
            }

            if (_lockParameterEffects.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } lockName && !_context.Gate.MayTouchTheLock(lockName))
            {
                return (-1, LockEffect.None);
            }

            return Guarded(method, (-1, LockEffect.None), _lockParameterEffects, _computeLockParameterEffect ??= ComputeLockEffectOnParameter);
        }

        /// <summary>
        /// The argument a call gives the parameter whose lock its callee takes or drops, with that
        /// effect, when <paramref name="isLock"/> says the argument is the lock (<c>kvm.mmu_lock</c>,
        /// or the lock a summary is following); null otherwise.
        /// </summary>
        internal (IOperation Argument, LockEffect Effect)? LockedArgument(IMethodSymbol callee, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, Func<IOperation, bool> isLock)
        {
            var (ordinal, effect) = LockEffectOnParameter(callee);
            if (effect == LockEffect.None)
            {
                return null;
            }

            foreach (var argument in arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return isLock(argument.Value) ? (argument.Value, effect) : null;
                }
            }

            return null;
        }

        private (int, LockEffect) ComputeLockEffectOnParameter(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return (-1, LockEffect.None);
            }

            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None || parameter.Type.SpecialType == SpecialType.System_Boolean || !UsesAsALock(body, parameter))
                {
                    continue;
                }

                var effect = ComputeLockEffect(body, ReferencesTo(parameter));
                if (effect != LockEffect.None)
                {
                    return (parameter.Ordinal, effect);
                }
            }

            return (-1, LockEffect.None);
        }

        /// <summary>Does the body hand the parameter to a lock call as its lock (a primitive, Monitor, a call on it, a helper or constructor that takes the lock it is given)?</summary>
        private bool UsesAsALock(IOperation body, IParameterSymbol parameter)
        {
            var isTheParameter = ReferencesTo(parameter);

            foreach (var operation in body.Descendants())
            {
                switch (operation)
                {
                    case IInvocationOperation invocation when LockOperations.Classify(invocation, _roles, isTheParameter) != LockEffect.None:
                        return true;
                    case IInvocationOperation invocation when LockedArgument(invocation.TargetMethod, invocation.Arguments, isTheParameter) is not null:
                        return true;
                    case IObjectCreationOperation { Constructor: { } constructor } creation when LockedArgument(constructor, creation.Arguments, isTheParameter) is not null:
                        return true;
                }
            }

            return false;
        }

        /// <summary>Whether an operation is (a conversion of) a reference to the parameter.</summary>
        private static Func<IOperation, bool> ReferencesTo(IParameterSymbol parameter) =>
            operation => LockOperations.Unwrap(operation) is IParameterReferenceOperation { Parameter: var referenced } && SymbolEqualityComparer.Default.Equals(referenced, parameter);

        /// <summary>
        /// A guard type whose Dispose drops a lock its constructor was given: cleanup.h's
        /// <c>guard(write_lock)</c>, whose Dispose is <c>write_unlock(_lock)</c> of the field it keeps the lock in.
        /// </summary>
        private bool DisposeDropsAKeptLock(IMethodSymbol dispose)
        {
            if (dispose.ContainingType is not { } type || BodyOperation(dispose) is not { } body)
            {
                return false;
            }

            var constructorTakesALock = false;
            foreach (var constructor in type.InstanceConstructors)
            {
                constructorTakesALock |= LockEffectOnParameter(constructor).Effect == LockEffect.Acquire;
            }

            bool IsAKeptLock(IOperation operation) =>
                LockOperations.Unwrap(operation) is IFieldReferenceOperation { Instance: IInstanceReferenceOperation, Field: var field }
                && SymbolEqualityComparer.Default.Equals(field.ContainingType, type);

            return constructorTakesALock && ComputeLockEffect(body, IsAKeptLock) == LockEffect.Release;
        }
    }
}
