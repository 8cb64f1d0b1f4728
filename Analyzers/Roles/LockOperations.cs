using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What a call does to mmu_lock by its form (SPEC section 3, "taking / dropping it" and
    /// "held on entry"), from the <see cref="RoleCatalog"/>: the one answer the flow analysis,
    /// the summaries' pre-filter and the code fixes share. What a helper of the compilation does
    /// through its body, and the release by a guard's <c>Dispose</c>, are the flow analysis's to
    /// add (it knows summaries and which locals hold a guard).
    /// </summary>
    internal static class LockOperations
    {
        /// <summary>
        /// The lock effect of <paramref name="invocation"/>'s form. <paramref name="isLock"/> tells
        /// whether an operand denotes the lock; without one, only a reference to an mmu_lock member
        /// does (the flow analysis also knows locals that hold it).
        /// </summary>
        internal static LockEffect Classify(IInvocationOperation invocation, SymbolRoles roles, Func<IOperation, bool>? isLock = null)
        {
            var method = invocation.TargetMethod;
            var name = method.Name;
            isLock ??= roles.IsLockMemberReference;
            if (roles.Plays(RoleCatalog.AcquireMethods, method))
            {
                return LockEffect.Acquire;
            }

            if (roles.Plays(RoleCatalog.ReleaseMethods, method))
            {
                return LockEffect.Release;
            }

            if ((RoleCatalog.LockPrimitives.Contains(name) || IsMonitor(method)) && HasLockArgument(invocation, isLock))
            {
                if (RoleCatalog.WriteLockFunctions.Contains(name) || RoleCatalog.ReadLockFunctions.Contains(name))
                {
                    return LockEffect.Acquire;
                }

                if (RoleCatalog.WriteUnlockFunctions.Contains(name) || RoleCatalog.ReadUnlockFunctions.Contains(name))
                {
                    return LockEffect.Release;
                }

                if (RoleCatalog.TryLockFunctions.Contains(name))
                {
                    return LockEffect.TryAcquire;
                }

                if (RoleCatalog.LockdepAsserts.Contains(name))
                {
                    return LockEffect.AssertHeld;
                }

                if (IsMonitor(method))
                {
                    return name switch
                    {
                        RoleCatalog.EnterCall => LockEffect.Acquire,
                        RoleCatalog.TryEnterCall => LockEffect.TryAcquire,
                        RoleCatalog.ExitCall => LockEffect.Release,
                        _ => LockEffect.None,
                    };
                }
            }

            if (invocation.Instance is { } instance && isLock(instance))
            {
                if (RoleCatalog.LockAssertCalls.Contains(name))
                {
                    return LockEffect.AssertHeld;
                }

                // System.Threading.Lock and SpinLock: Enter / TryEnter / Exit on the lock, as Monitor's.
                switch (name)
                {
                    case RoleCatalog.EnterCall:
                        return LockEffect.Acquire;
                    case RoleCatalog.TryEnterCall:
                        return LockEffect.TryAcquire;
                    case RoleCatalog.ExitCall:
                        return LockEffect.Release;
                }

                // ReaderWriterLockSlim and look-alikes: Enter*Lock / TryEnter*Lock / Exit*Lock on the lock.
                if (name.StartsWith("Enter", StringComparison.Ordinal) && name.EndsWith("Lock", StringComparison.Ordinal))
                {
                    return LockEffect.Acquire;
                }

                if (name.StartsWith("TryEnter", StringComparison.Ordinal) && name.EndsWith("Lock", StringComparison.Ordinal))
                {
                    return LockEffect.TryAcquire;
                }

                if (name.StartsWith("Exit", StringComparison.Ordinal) && name.EndsWith("Lock", StringComparison.Ordinal))
                {
                    return LockEffect.Release;
                }

                if (IsDisposable(method.ReturnType))
                {
                    return LockEffect.GuardAcquire;
                }
            }

            return LockEffect.None;
        }

        /// <summary>
        /// The locked value of a <c>lock</c> statement the graph does not lower (an expression
        /// statement of an invalid operation, with the statement's syntax: see
        /// OperationTransfer.UnloweredLock), or null for any other operation.
        /// </summary>
        internal static IOperation? UnloweredLockValue(IOperation operation) =>
            operation is IExpressionStatementOperation { Operation: IInvalidOperation invalid, Syntax: Microsoft.CodeAnalysis.CSharp.Syntax.LockStatementSyntax }
                ? FirstChild(invalid)
                : null;

        /// <summary>A lock statement in an operation tree, lowered or not (see <see cref="UnloweredLockValue"/>).</summary>
        internal static bool IsLockStatement(IOperation operation) =>
            operation is ILockOperation || (operation is IInvalidOperation && operation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.LockStatementSyntax);

        private static IOperation? FirstChild(IOperation operation)
        {
            foreach (var child in operation.ChildOperations)
            {
                return child;
            }

            return null;
        }

        /// <summary>
        /// Could this call change the lock by its form alone, before any argument is looked at?
        /// The cheap test of a body that decides whether a lock summary is worth a graph.
        /// </summary>
        internal static bool MayBeALockCall(IInvocationOperation invocation, SymbolRoles roles)
        {
            var target = invocation.TargetMethod;
            return RoleCatalog.AcquireMethods.IsNamed(target.Name) || RoleCatalog.ReleaseMethods.IsNamed(target.Name)
                || RoleCatalog.LockPrimitives.Contains(target.Name)
                || target.Name is RoleCatalog.EnterCall or RoleCatalog.ExitCall or RoleCatalog.TryEnterCall
                || RoleCatalog.AcquireMethods.IsMarked(target) || RoleCatalog.ReleaseMethods.IsMarked(target)
                || (invocation.Instance is { } instance && roles.IsLockMemberReference(instance));
        }

        /// <summary>The mode a lock call takes or drops, by its name (a helper's mode is not known).</summary>
        internal static LockMode ModeOf(IOperation call)
        {
            if (call is not IInvocationOperation invocation)
            {
                // A guard's constructor: its mode is its body's, which is not checked.
                return LockMode.Unknown;
            }

            var name = invocation.TargetMethod.Name;
            return RoleCatalog.WriteModeCalls.Contains(name) ? LockMode.Write
                : RoleCatalog.ReadModeCalls.Contains(name) ? LockMode.Read
                : LockMode.Unknown;
        }

        /// <summary>
        /// ReaderWriterLockSlim's upgrade: EnterWriteLock on a lock this path holds, where every
        /// place it was taken is an EnterUpgradeableReadLock. Not a second acquisition: the
        /// upgradeable read lock exists to be upgraded.
        /// </summary>
        internal static bool IsUpgrade(IOperation call, bool heldForCertain, System.Collections.Immutable.ImmutableArray<SyntaxNode> takenAt)
        {
            if (call is not IInvocationOperation { TargetMethod.Name: RoleCatalog.UpgradeCall } || !heldForCertain || takenAt.IsEmpty)
            {
                return false;
            }

            foreach (var site in takenAt)
            {
                if (site is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax member }
                    || !RoleCatalog.UpgradeableReadLockCalls.Contains(member.Name.Identifier.ValueText))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The release that ends an upgrade (ExitWriteLock), when <paramref name="upgraded"/> says the path upgraded: the upgradeable read lock stays held.</summary>
        internal static bool IsDowngrade(IOperation call, bool upgraded) =>
            upgraded && call is IInvocationOperation { TargetMethod.Name: RoleCatalog.DowngradeCall };

        /// <summary>What a message calls a lock call: the method's name, or the type of an object whose constructor takes the lock.</summary>
        internal static string NameOf(IOperation call) => call switch
        {
            IInvocationOperation invocation => invocation.TargetMethod.Name,
            IObjectCreationOperation { Type: { } type } => type.Name,
            { Syntax: Microsoft.CodeAnalysis.CSharp.Syntax.LockStatementSyntax } => "lock",
            _ => "mmu_lock",
        };

        /// <summary>A <c>lockdep_assert_held*()</c> call: the lock is held from there on.</summary>
        internal static bool IsLockdepAssert(IInvocationOperation invocation) =>
            RoleCatalog.LockdepAsserts.Contains(invocation.TargetMethod.Name)
            || (invocation.Instance is not null && RoleCatalog.LockAssertCalls.Contains(invocation.TargetMethod.Name));

        /// <summary>Strips conversions, parentheses and <c>&amp;</c>, as the kernel's <c>write_lock(&amp;kvm->mmu_lock)</c> writes the lock.</summary>
        internal static IOperation Unwrap(IOperation operation)
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

        private static bool IsMonitor(IMethodSymbol method) =>
            method.ContainingType is { Name: "Monitor", ContainingNamespace: { Name: "Threading", ContainingNamespace.Name: "System" } };

        private static bool HasLockArgument(IInvocationOperation invocation, Func<IOperation, bool> isLock)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (isLock(argument.Value))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsDisposable(ITypeSymbol type)
        {
            // A Task is IDisposable, but disposing it releases nothing: SemaphoreSlim.WaitAsync()
            // on a lock named MmuLock is no guard (its Release is not ours to know).
            if (IsTask(type))
            {
                return false;
            }

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

        private static bool IsTask(ITypeSymbol type)
        {
            for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
            {
                if (current.Name == "Task" && current.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
                {
                    return true;
                }
            }

            return false;
        }
    }
}
