using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Whether a local function or lambda of a body runs only where the body calls it: every
    /// reference to a local function is a call of it, and a lambda initialises a local whose every
    /// use is an invocation (and nothing writes it again). Each such call is then in the body, and
    /// the rules check it there, with its arguments, as they check a call to a method of the
    /// compilation: a range the function received as a parameter and passes on is checked at those
    /// calls (SPEC section 2), not in the function. A function handed to anything else (a method
    /// group or the lambda passed on, <c>List&lt;T&gt;.ForEach</c>) may run with any range.
    /// </summary>
    internal static class NestedFunctionCallers
    {
        internal static bool OnlyCalledIn(IOperation body, IMethodSymbol function)
        {
            switch (function.MethodKind)
            {
                case MethodKind.LocalFunction:
                    return !UsesOfLocalFunction(body, function).AsAGroup;

                case MethodKind.AnonymousFunction:
                    return HeldLocal(body, function) is { } local && OnlyInvoked(body, local);

                default:
                    return false;
            }
        }

        /// <summary>
        /// A local function that <paramref name="body"/> calls, and only calls: each call binds the
        /// function's parameters to its arguments, so what they give is checked at the calls.
        /// </summary>
        internal static bool OnlyAndSomewhereCalledIn(IOperation body, IMethodSymbol function) =>
            UsesOfLocalFunction(body, function) is { AsAGroup: false, Called: true };

        /// <summary>Whether <paramref name="body"/> refers to a local function as a method group (anything but a call), and whether it calls it.</summary>
        private static (bool AsAGroup, bool Called) UsesOfLocalFunction(IOperation body, IMethodSymbol function)
        {
            var called = false;
            foreach (var operation in body.Descendants())
            {
                if (operation is IMethodReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, function.OriginalDefinition))
                {
                    return (true, called);
                }

                called |= operation is IInvocationOperation invocation && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, function.OriginalDefinition);
            }

            return (false, called);
        }

        /// <summary>Is <paramref name="function"/> a lambda or local function written inside <paramref name="method"/>, at any depth?</summary>
        internal static bool IsNestedIn(IMethodSymbol function, ISymbol method)
        {
            for (ISymbol? current = function; current is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } nested; current = nested.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(nested.ContainingSymbol, method))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The method a lambda or local function is written in, at any depth; any other method itself.</summary>
        internal static IMethodSymbol OutermostMethod(IMethodSymbol method)
        {
            while (method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction && method.ContainingSymbol is IMethodSymbol containing)
            {
                method = containing;
            }

            return method;
        }

        /// <summary>The local a lambda initialises (<c>Func&lt;kvm_gfn_range, bool&gt; zap = r =&gt; ...;</c>), or null.</summary>
        private static ILocalSymbol? HeldLocal(IOperation body, IMethodSymbol lambda)
        {
            foreach (var operation in body.Descendants())
            {
                if (operation is IAnonymousFunctionOperation anonymous && SymbolEqualityComparer.Default.Equals(anonymous.Symbol, lambda))
                {
                    return HeldLocal(anonymous);
                }
            }

            return null;
        }

        private static ILocalSymbol? HeldLocal(IAnonymousFunctionOperation lambda) =>
            DelegateValue(lambda).Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } ? declarator.Symbol : null;

        /// <summary>A lambda held in a local it initialises, whose every use in <paramref name="body"/> is an invocation.</summary>
        internal static bool HeldOnlyToBeInvoked(IOperation body, IAnonymousFunctionOperation lambda) =>
            HeldLocal(lambda) is { } local && OnlyInvoked(body, local);

        /// <summary>The delegate a lambda makes, as its parent sees it: past the delegate creation, conversions and parentheses.</summary>
        internal static IOperation DelegateValue(IAnonymousFunctionOperation lambda)
        {
            var value = lambda.Parent is IDelegateCreationOperation creation ? (IOperation)creation : lambda;
            while (value.Parent is IConversionOperation or IParenthesizedOperation)
            {
                value = value.Parent;
            }

            return value;
        }

        private static bool OnlyInvoked(IOperation body, ILocalSymbol local)
        {
            foreach (var operation in body.Descendants())
            {
                if (operation is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                    && !(reference.Parent is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invocation && invocation.Instance == reference))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
