using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The bool parameters a path of a helper decided: <c>filter_for(bool priv) => priv ? PRIVATE :
    /// SHARED</c> returns PRIVATE only where <c>priv</c> is true. A summary keeps them with each
    /// path's values so a call drops the paths its arguments rule out (<c>filter_for(false)</c> is
    /// SHARED), where joining first would leave "either side" at every call.
    /// </summary>
    internal static class DecidedParameters
    {
        /// <summary>
        /// The method's bool parameters taken by value that its body never writes (nor a lambda in
        /// it): what a path's state says of one then holds for the value the caller passed.
        /// </summary>
        internal static ImmutableArray<IParameterSymbol> Candidates(IMethodSymbol method, IOperation? body)
        {
            var candidates = ImmutableArray.CreateBuilder<IParameterSymbol>();
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind == RefKind.None && parameter.Type.SpecialType == SpecialType.System_Boolean)
                {
                    candidates.Add(parameter);
                }
            }

            if (candidates.Count == 0 || body is null)
            {
                return ImmutableArray<IParameterSymbol>.Empty;
            }

            foreach (var operation in body.Descendants())
            {
                if (operation is IParameterReferenceOperation { Parameter: { } written } reference && VariableWrites.IsWritten(reference))
                {
                    for (var i = candidates.Count - 1; i >= 0; i--)
                    {
                        if (SymbolEqualityComparer.Default.Equals(candidates[i].OriginalDefinition, written.OriginalDefinition))
                        {
                            candidates.RemoveAt(i);
                        }
                    }
                }
            }

            return candidates.ToImmutable();
        }

        /// <summary>What a path's state decided of each candidate, as (ordinal, value) pairs; empty when nothing.</summary>
        internal static ImmutableArray<(int Ordinal, bool Value)> On(FlowState path, ImmutableArray<IParameterSymbol> candidates)
        {
            if (candidates.IsEmpty)
            {
                return ImmutableArray<(int Ordinal, bool Value)>.Empty;
            }

            var decided = ImmutableArray.CreateBuilder<(int Ordinal, bool Value)>();
            foreach (var parameter in candidates)
            {
                var value = path.Get(FlowLocation.ForSymbol(parameter));
                if (value.IsDefinitelyTrue || value.IsDefinitelyFalse)
                {
                    decided.Add((parameter.Ordinal, value.IsDefinitelyTrue));
                }
            }

            return decided.ToImmutable();
        }

        internal static bool SameDecisions(ImmutableArray<(int Ordinal, bool Value)> a, ImmutableArray<(int Ordinal, bool Value)> b) =>
            a.SequenceEqual(b);
    }
}
