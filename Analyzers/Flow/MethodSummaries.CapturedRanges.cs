using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a lambda or local function leaves in the flags of the ranges it captured (SPEC
    /// section 2: what a nested function does, setting a flag included, happens where it is
    /// invoked): <c>void share() { r.only_shared = true; r.only_private = false; }</c> makes
    /// <c>r</c> shared-only at each <c>share()</c>. Evaluated like a helper's effect on a
    /// <c>ref</c> parameter: each captured range starts as the caller holds it, and a value the
    /// function takes from its own parameters is bound to each call's arguments.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<(ILocalSymbol Local, FlagEffect Effect)>> _capturedFlagEffects =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<(ILocalSymbol, FlagEffect)>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<(ILocalSymbol Local, FlagEffect Effect)>>? _computeCapturedFlagEffects;

        /// <summary>The captured range locals whose flags the function changes, each with what it leaves there.</summary>
        internal ImmutableArray<(ILocalSymbol Local, FlagEffect Effect)> CapturedFlagEffectsOf(IMethodSymbol function)
        {
            function = function.OriginalDefinition;
            if (function.MethodKind is not (MethodKind.LocalFunction or MethodKind.AnonymousFunction))
            {
                return ImmutableArray<(ILocalSymbol, FlagEffect)>.Empty;
            }

            if (_capturedFlagEffects.TryGetValue(function, out var known))
            {
                return known;
            }

            return Guarded(function, ImmutableArray<(ILocalSymbol, FlagEffect)>.Empty, _capturedFlagEffects, _computeCapturedFlagEffects ??= ComputeCapturedFlagEffects);
        }

        private ImmutableArray<(ILocalSymbol Local, FlagEffect Effect)> ComputeCapturedFlagEffects(IMethodSymbol function)
        {
            if (BodyOperation(function) is not { } body || CapturedRanges(body, function) is not { Count: > 0 } captured || BodyGraph(body) is not { } graph)
            {
                return ImmutableArray<(ILocalSymbol, FlagEffect)>.Empty;
            }

            var entry = FlowState.Empty;
            foreach (var local in captured)
            {
                entry = FromTheCaller(entry, FlowLocation.ForSymbol(local));
            }

            var touched = new TouchedFlags();
            if (ForwardDataflow.Run(graph, entry, new OperationTransfer(_roles, this, touched, FlowFacts.Flags), CancellationToken.None) is not { } inputs)
            {
                return ImmutableArray<(ILocalSymbol, FlagEffect)>.Empty;
            }

            var exitPaths = ForwardDataflow.ExitState(graph, inputs);
            var effects = ImmutableArray.CreateBuilder<(ILocalSymbol, FlagEffect)>();
            foreach (var local in captured)
            {
                if (EffectLeftIn(FlowLocation.ForSymbol(local), touched, exitPaths, ImmutableArray<IParameterSymbol>.Empty) is { IsNone: false } effect)
                {
                    effects.Add((local, effect));
                }
            }

            return effects.ToImmutable();
        }

        /// <summary>The range locals the function reads or writes that are declared outside it.</summary>
        private List<ILocalSymbol>? CapturedRanges(IOperation body, IMethodSymbol function)
        {
            List<ILocalSymbol>? captured = null;
            foreach (var operation in body.Descendants())
            {
                if (operation is ILocalReferenceOperation { Local: { } local } && _roles.IsGfnRangeType(local.Type)
                    && !IsDeclaredIn(local, function) && (captured is null || !captured.Contains(local)))
                {
                    (captured ??= new List<ILocalSymbol>()).Add(local);
                }
            }

            return captured;
        }

        private static bool IsDeclaredIn(ILocalSymbol local, IMethodSymbol function) =>
            SymbolEqualityComparer.Default.Equals(local.ContainingSymbol.OriginalDefinition, function)
            || (local.ContainingSymbol is IMethodSymbol owner && NestedFunctionCallers.IsNestedIn(owner, function));
    }
}
