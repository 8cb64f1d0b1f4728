using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The lambdas and local functions a body runs (SPEC section 2: code in one runs where it is
    /// invoked, not where it is written): a local function the body calls; a lambda it invokes
    /// immediately, through a local that holds it, or hands to <c>List&lt;T&gt;.ForEach</c> /
    /// <c>Array.ForEach</c> or to a port's iterator that runs it during the call
    /// (<see cref="MethodSummaries.FunctionsRunDuring"/>); and, in turn, whatever those run. A function the body only defines,
    /// returns, stores or hands to anything else runs elsewhere: it is not on the body's path.
    /// Also which of them run <em>only</em> where the body invokes them, so that what they capture
    /// is what the body holds at those invocations.
    /// </summary>
    internal sealed class NestedFunctionsRun
    {
        private readonly HashSet<IMethodSymbol> _run;
        private readonly HashSet<IMethodSymbol> _escaping;
        private readonly Dictionary<IMethodSymbol, IOperation> _declarations;

        private NestedFunctionsRun(HashSet<IMethodSymbol> run, HashSet<IMethodSymbol> escaping, Dictionary<IMethodSymbol, IOperation> declarations)
        {
            _run = run;
            _escaping = escaping;
            _declarations = declarations;
        }

        /// <summary>Does the body run <paramref name="function"/> (directly, or from a function it runs)?</summary>
        internal bool Runs(IMethodSymbol function) => _run.Contains(function.OriginalDefinition);

        /// <summary>
        /// Does <paramref name="function"/> run only at invocations the body shows (its calls, the
        /// local's invocations, a ForEach it is handed to), never from anywhere it was handed on to?
        /// </summary>
        internal bool RunsOnlyWhereInvoked(IMethodSymbol function) =>
            Runs(function) && !_escaping.Contains(function.OriginalDefinition);

        /// <summary>The lambda or local function operation that declares <paramref name="function"/>, or null.</summary>
        internal IOperation? DeclarationOf(IMethodSymbol function) =>
            _declarations.TryGetValue(function.OriginalDefinition, out var declaration) ? declaration : null;

        /// <summary>The body (block or expression) of a lambda or local function operation.</summary>
        internal static IOperation? BodyOf(IOperation declaration) => declaration switch
        {
            IAnonymousFunctionOperation lambda => lambda.Body,
            ILocalFunctionOperation local => (IOperation?)local.Body ?? local.IgnoredBody,
            _ => null,
        };

        /// <summary>The lambda or local function whose body holds <paramref name="operation"/>, or null for the method's own body.</summary>
        internal static IMethodSymbol? EnclosingFunction(IOperation operation)
        {
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IAnonymousFunctionOperation lambda:
                        return lambda.Symbol;
                    case ILocalFunctionOperation local:
                        return local.Symbol;
                }
            }

            return null;
        }

        /// <summary>The nested function a graph is of (a lambda's or local function's), or null for a method body's graph.</summary>
        internal static IMethodSymbol? FunctionOf(ControlFlowGraph graph) => graph.OriginalOperation switch
        {
            ILocalFunctionOperation local => local.Symbol,
            IAnonymousFunctionOperation lambda => lambda.Symbol,
            IFlowAnonymousFunctionOperation flowLambda => flowLambda.Symbol,
            _ => null,
        };

        /// <summary>The nested functions <paramref name="invocation"/> runs (see the type's remarks); a graph's operations or the tree's alike.</summary>
        internal static ImmutableArray<IMethodSymbol> RunBy(IInvocationOperation invocation, MethodSummaries summaries) =>
            invocation.TargetMethod.MethodKind == MethodKind.LocalFunction
                ? ImmutableArray.Create(invocation.TargetMethod)
                : summaries.DelegateRunBy(invocation) is { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } function ? ImmutableArray.Create(function)
                : NestedOnly(summaries.FunctionsRunDuring(invocation));

        private static ImmutableArray<IMethodSymbol> NestedOnly(ImmutableArray<IMethodSymbol> functions) =>
            functions.IsEmpty ? functions : functions.RemoveAll(function => function.MethodKind is not (MethodKind.LocalFunction or MethodKind.AnonymousFunction));

        /// <summary>What <paramref name="root"/> runs, from one walk of its operation tree.</summary>
        internal static NestedFunctionsRun Of(IOperation root, MethodSummaries summaries)
        {
            var declarations = new Dictionary<IMethodSymbol, IOperation>(SymbolEqualityComparer.Default);
            var escaping = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

            // Who runs whom: the key null is the method's own body.
            var runsFromBody = new List<IMethodSymbol>();
            var runsFrom = new Dictionary<IMethodSymbol, List<IMethodSymbol>>(SymbolEqualityComparer.Default);
            foreach (var operation in root.Descendants())
            {
                switch (operation)
                {
                    case IAnonymousFunctionOperation lambda:
                        declarations[lambda.Symbol.OriginalDefinition] = lambda;
                        if (!RunsOnlyWhereWritten(lambda, root, summaries))
                        {
                            escaping.Add(lambda.Symbol.OriginalDefinition);
                        }

                        break;
                    case ILocalFunctionOperation local:
                        declarations[local.Symbol.OriginalDefinition] = local;
                        break;
                    case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } group when !IsHandedToARunner(group, summaries):
                        escaping.Add(group.Method.OriginalDefinition);
                        break;
                    case IInvocationOperation invocation when RunBy(invocation, summaries) is { IsEmpty: false } functions:
                        var runs = runsFromBody;
                        if (EnclosingFunction(invocation) is { } caller && !runsFrom.TryGetValue(caller.OriginalDefinition, out runs))
                        {
                            runsFrom[caller.OriginalDefinition] = runs = new List<IMethodSymbol>();
                        }

                        foreach (var function in functions)
                        {
                            runs.Add(function.OriginalDefinition);
                        }

                        break;
                }
            }

            var run = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            var pending = new Stack<IMethodSymbol>(runsFromBody);
            while (pending.Count > 0)
            {
                var function = pending.Pop();
                if (run.Add(function) && runsFrom.TryGetValue(function, out var callees))
                {
                    foreach (var callee in callees)
                    {
                        pending.Push(callee);
                    }
                }
            }

            return new NestedFunctionsRun(run, escaping, declarations);
        }

        /// <summary>
        /// A lambda invoked where it is written (immediately, or handed to a ForEach or to a port's
        /// iterator that runs it during the call), or held in a local it initialises whose every
        /// use is an invocation (<see cref="NestedFunctionCallers"/>).
        /// </summary>
        private static bool RunsOnlyWhereWritten(IAnonymousFunctionOperation lambda, IOperation root, MethodSummaries summaries)
        {
            var value = NestedFunctionCallers.DelegateValue(lambda);
            return value.Parent switch
            {
                IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invocation => invocation.Instance == value,
                IArgumentOperation { Parent: IInvocationOperation call, Parameter: { } parameter } =>
                    MethodSummaries.IsCollectionForEach(call.TargetMethod) || summaries.DelegateParametersRunDuringTheCall(call.TargetMethod).Contains(parameter.Ordinal),
                _ => NestedFunctionCallers.HeldOnlyToBeInvoked(root, lambda),
            };
        }

        /// <summary>A method group handed to a ForEach, or to a port's iterator that runs it during the call.</summary>
        private static bool IsHandedToARunner(IMethodReferenceOperation group, MethodSummaries summaries)
        {
            IOperation value = group.Parent is IDelegateCreationOperation creation ? creation : group;
            while (value.Parent is IConversionOperation)
            {
                value = value.Parent;
            }

            return value.Parent is IArgumentOperation { Parent: IInvocationOperation invocation, Parameter: { } parameter }
                && (MethodSummaries.IsCollectionForEach(invocation.TargetMethod) || summaries.DelegateParametersRunDuringTheCall(invocation.TargetMethod).Contains(parameter.Ordinal));
        }
    }
}
