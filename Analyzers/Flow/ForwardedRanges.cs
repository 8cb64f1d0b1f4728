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
        internal static bool PassedOnUnchanged(IOperation body, IParameterSymbol parameter, SymbolRoles roles, MethodSummaries summaries) =>
            PassedOnUnchanged(body, parameter, roles, summaries, flagsRead: true);

        /// <summary>
        /// The same for any variable (a parameter, or a local a lambda captured); with
        /// <paramref name="flagsRead"/> false, the body must not read its flags either (no guard
        /// in it narrowed them), so they are what they were where the body was entered.
        /// </summary>
        internal static bool PassedOnUnchanged(IOperation body, ISymbol variable, SymbolRoles roles, MethodSummaries summaries, bool flagsRead)
        {
            foreach (var operation in body.Descendants())
            {
                var referenced = operation switch
                {
                    IParameterReferenceOperation parameterReference => parameterReference.Parameter,
                    ILocalReferenceOperation localReference => (ISymbol)localReference.Local,
                    _ => null,
                };
                if (referenced is null || !SymbolEqualityComparer.Default.Equals(referenced, variable))
                {
                    continue;
                }

                var reference = operation;
                if (reference.Parent is IMemberReferenceOperation member && member.Instance == reference)
                {
                    if ((roles.TryGetFlag(member.Member, out _) || roles.IsFilterMember(member.Member)) && (!flagsRead || VariableWrites.IsWritten(member)))
                    {
                        return false;
                    }

                    continue;
                }

                // Without flag reads, the variable is only handed to calls, none of which tests it
                // (`is_shared(r)`): no pattern test, no copy that a guard could narrow instead.
                if (!flagsRead && (reference.Parent is not IArgumentOperation { Parameter: { } handed, Parent: IInvocationOperation caller }
                    || summaries.OnlyReads(caller.TargetMethod, handed.Ordinal)))
                {
                    return false;
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
