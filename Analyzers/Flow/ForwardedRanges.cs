using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A range a function received as a parameter and passes on without changing its filter (SPEC
    /// section 2): nothing in the body assigns the parameter, writes one of its flags (or its
    /// attr_filter), takes a <c>ref</c> local to it, passes it <c>out</c>, or passes it by
    /// <c>ref</c> to a helper of the compilation that sets its flags. Calls the compilation cannot
    /// see into do not change a range's flags (SPEC section 2), so a <c>ref</c> to one is no change.
    /// </summary>
    internal static class ForwardedRanges
    {
        internal static bool PassedOnUnchanged(IOperation body, IParameterSymbol parameter, SymbolRoles roles, MethodSummaries summaries)
        {
            foreach (var operation in body.Descendants())
            {
                if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter))
                {
                    continue;
                }

                if (reference.Parent is IMemberReferenceOperation member && member.Instance == reference)
                {
                    if (VariableWrites.IsWritten(member) && (roles.TryGetFlag(member.Member, out _) || roles.IsFilterMember(member.Member)))
                    {
                        return false;
                    }

                    continue;
                }

                if (!VariableWrites.IsWritten(reference))
                {
                    continue;
                }

                if (reference.Parent is not IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.In } argument
                    || argument.Parent is not IInvocationOperation invocation
                    || summaries.FlagEffectsOf(invocation.TargetMethod)?.ForParameter(argument.Parameter.Ordinal) is { IsNone: false })
                {
                    return false;
                }
            }

            return true;
        }
    }
}
