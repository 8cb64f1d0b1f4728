using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>What the rules that check the ranges a method passes on (KVM0002, KVM0004, KVM0005) ask of a call.</summary>
    internal static class RangeCalls
    {
        /// <summary>
        /// The cheap test before any graph is built: does the body hand a gfn range to a call at
        /// all, itself or in a lambda or local function it runs (<see cref="NestedFunctionsRun"/>)?
        /// A function defined here and run elsewhere is not the path's. <paramref name="run"/> is
        /// asked only for a body whose only such calls are in nested functions.
        /// </summary>
        internal static bool PassesARange(IOperation root, SymbolRoles roles, System.Func<NestedFunctionsRun> run)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation invocation && HandsOnARange(invocation, roles)
                    && (NestedFunctionsRun.EnclosingFunction(invocation) is not { } function || run().Runs(function)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HandsOnARange(IInvocationOperation invocation, SymbolRoles roles)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is { } parameter && roles.IsGfnRangeType(RangeType(parameter.Type)))
                {
                    return true;
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
