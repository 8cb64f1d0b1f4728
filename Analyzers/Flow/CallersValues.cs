using System;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Where a value the callers give (<see cref="BoolValue.ComesFromTheCallers"/>) is checked
    /// (SPEC 2: a flag taken from a parameter is followed into the callers). Read in a local
    /// function the body only calls: at those calls, each of which binds what the function reads
    /// of its own parameters, of the functions around it and of <c>this</c>. Read anywhere else:
    /// a value of the method's own parameters or of <c>this</c> at the method's callers, when
    /// they check it. A lambda's own parameter, or one of a function handed on, is checked where
    /// it is read: what invokes the function is not known.
    /// </summary>
    internal static class CallersValues
    {
        /// <param name="method">The method whose body is analysed.</param>
        /// <param name="function">The lambda or local function whose graph is observed, or null for the method's own.</param>
        /// <param name="checkedAtItsCalls">Whether the rule checks a function's calls with their arguments.</param>
        internal static bool LeftToTheCallers(BoolValue value, IMethodSymbol method, IMethodSymbol? function, Func<IMethodSymbol, bool> checkedAtItsCalls)
        {
            if (!value.ComesFromTheCallers)
            {
                return false;
            }

            if (function is { MethodKind: MethodKind.LocalFunction } && checkedAtItsCalls(function))
            {
                return true;
            }

            return SymbolEqualityComparer.Default.Equals(value.GivenBy(method), method) && checkedAtItsCalls(method);
        }
    }
}
