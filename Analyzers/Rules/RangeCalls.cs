using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>What the rules that check the ranges a method passes on (KVM0002, KVM0004, KVM0005) ask of a call.</summary>
    internal static class RangeCalls
    {
        /// <summary>The cheap test before any graph is built: does the body hand a gfn range to a call at all?</summary>
        internal static bool PassesARange(IOperation root, SymbolRoles roles)
        {
            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && roles.IsGfnRangeType(RangeType(parameter.Type)))
                    {
                        return true;
                    }

                    // `ranges.ForEach(r => kvm_unmap_gfn_range(kvm, ref r))`: the lambda runs here,
                    // once per element. (A lambda defined here and run elsewhere is not the path's.)
                    if (MethodSummaries.IsCollectionForEach(invocation.TargetMethod)
                        && LockOperations.Unwrap(argument.Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation each }
                        && PassesARange(each.Body, roles))
                    {
                        return true;
                    }
                }
            }

            return false;
        }


        internal static ITypeSymbol RangeType(ITypeSymbol type) => type is IPointerTypeSymbol pointer ? pointer.PointedAtType : type;

        /// <summary>
        /// The call as the message names it: a method by its name (<c>kvm_unmap_gfn_range</c>), a
        /// delegate by the expression invoked (<c>range.handler(...)</c>), not by the delegate's type.
        /// </summary>
        internal static string CallName(IInvocationOperation invocation)
        {
            if (invocation.TargetMethod.MethodKind != MethodKind.DelegateInvoke)
            {
                return invocation.TargetMethod.Name;
            }

            var invoked = invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call
                ? call.Expression.ToString()
                : invocation.Instance?.Syntax.ToString();
            return invoked is null ? invocation.TargetMethod.ContainingType.Name : invoked + "(...)";
        }
    }
}
