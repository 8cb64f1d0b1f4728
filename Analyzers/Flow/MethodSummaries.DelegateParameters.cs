using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A port's own iterator, <c>for_each_slot(kvm, slot =&gt; ...)</c> (the kernel's
    /// <c>kvm_for_each_memslot</c> loops, written as a method that takes the loop's body): a
    /// method of the compilation that invokes a delegate parameter during the call, and does
    /// nothing else with it but test it for null or hand it to another such method (or to
    /// <c>List&lt;T&gt;.ForEach</c>). A lambda passed there runs where the call is (SPEC section
    /// 2: code in a lambda runs where it is invoked), with what the caller's locals hold there.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _delegatesRunDuringTheCall =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<int>>? _computeDelegatesRunDuringTheCall;

        /// <summary>The functions (lambdas, local functions, method groups) <paramref name="invocation"/> hands to a delegate parameter its target runs during the call.</summary>
        internal ImmutableArray<IMethodSymbol> FunctionsRunDuring(IInvocationOperation invocation)
        {
            var ordinals = DelegateParametersRunDuringTheCall(invocation.TargetMethod);
            if (ordinals.IsEmpty)
            {
                return ImmutableArray<IMethodSymbol>.Empty;
            }

            var functions = ImmutableArray.CreateBuilder<IMethodSymbol>();
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { } parameter && ordinals.Contains(parameter.Ordinal)
                    && InvokedFunction(argument.Value) is { } function)
                {
                    functions.Add(function);
                }
            }

            return functions.ToImmutable();
        }

        /// <summary>The ordinals of the delegate parameters the method runs during the call and uses for nothing else (see the type's remarks).</summary>
        internal ImmutableArray<int> DelegateParametersRunDuringTheCall(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.DeclaringSyntaxReferences.IsEmpty || MayBeOverridden(method) || !HasADelegateParameter(method))
            {
                return ImmutableArray<int>.Empty;
            }

            if (_delegatesRunDuringTheCall.TryGetValue(method, out var known))
            {
                return known;
            }

            return Guarded(method, ImmutableArray<int>.Empty, _delegatesRunDuringTheCall, _computeDelegatesRunDuringTheCall ??= ComputeDelegateParametersRunDuringTheCall);
        }

        private static bool HasADelegateParameter(IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind == RefKind.None && parameter.Type.TypeKind == TypeKind.Delegate)
                {
                    return true;
                }
            }

            return false;
        }

        private ImmutableArray<int> ComputeDelegateParametersRunDuringTheCall(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return ImmutableArray<int>.Empty;
            }

            var invoked = new HashSet<int>();
            var otherwiseUsed = new HashSet<int>();
            foreach (var operation in body.Descendants())
            {
                if (operation is IParameterReferenceOperation { Parameter: { RefKind: RefKind.None, Type.TypeKind: TypeKind.Delegate } parameter } reference
                    && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method))
                {
                    switch (UseOfDelegate(reference))
                    {
                        case DelegateUse.Invoked:
                            invoked.Add(parameter.Ordinal);
                            break;
                        case DelegateUse.OtherwiseUsed:
                            otherwiseUsed.Add(parameter.Ordinal);
                            break;
                    }
                }
            }

            invoked.ExceptWith(otherwiseUsed);
            return invoked.Count == 0 ? ImmutableArray<int>.Empty : ImmutableArray.CreateRange(invoked);
        }

        private enum DelegateUse
        {
            Invoked,
            Tested,
            OtherwiseUsed,
        }

        /// <summary>What the method does with one read of its delegate parameter.</summary>
        private DelegateUse UseOfDelegate(IParameterReferenceOperation reference)
        {
            // Read inside a lambda or local function, it runs whenever that does.
            if (NestedFunctionsRun.EnclosingFunction(reference) is not null)
            {
                return DelegateUse.OtherwiseUsed;
            }

            switch (reference.Parent)
            {
                case IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invocation when invocation.Instance == reference:
                // `fn?.Invoke(slot)`
                case IConditionalAccessOperation access when access.Operation == reference:
                    return DelegateUse.Invoked;
                case IArgumentOperation { Parent: IInvocationOperation call, Parameter: { } handedTo }
                    when IsCollectionForEach(call.TargetMethod) || DelegateParametersRunDuringTheCall(call.TargetMethod).Contains(handedTo.Ordinal):
                    return DelegateUse.Invoked;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals }:
                case IIsPatternOperation:
                    return DelegateUse.Tested;
                default:
                    return DelegateUse.OtherwiseUsed;
            }
        }
    }
}
