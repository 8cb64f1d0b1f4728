using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>A range a path method passes on whose filter comes from the method's callers: checked at each call, with its arguments.</summary>
    internal readonly struct RangeFromCallers
    {
        internal RangeFromCallers(BoolValue side, BoolValue other, ITypeSymbol rangeType)
        {
            Side = side;
            Other = other;
            RangeType = rangeType;
        }

        /// <summary>The flag (or filter bit) of the side the path needs, as the callee sees it.</summary>
        internal BoolValue Side { get; }

        /// <summary>The other side's flag (or bit).</summary>
        internal BoolValue Other { get; }

        internal ITypeSymbol RangeType { get; }
    }

    internal sealed partial class MethodSummaries
    {
        // By side: index 0 for shared-only (HVA paths), 1 for private-only (guest_memfd paths).
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<RangeFromCallers>>[] _rangesFromCallers =
        {
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<RangeFromCallers>>(SymbolEqualityComparer.Default),
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<RangeFromCallers>>(SymbolEqualityComparer.Default),
        };

        private readonly ConcurrentDictionary<IMethodSymbol, bool>[] _everyCallerIsAPath =
        {
            new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default),
            new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default),
        };

        /// <summary>
        /// Whether the method is a path that needs <paramref name="side"/> by its role (name,
        /// attribute, option, HVA parameter); a lambda or local function is its method's.
        /// </summary>
        internal bool IsPathOfSide(IMethodSymbol method, FlagKind side)
        {
            method = NestedFunctionCallers.OutermostMethod(method);
            return side == FlagKind.OnlyPrivate ? _roles.IsGmemPathMethod(method) : _roles.IsHvaPathMethod(method);
        }

        /// <summary>
        /// The ranges a path method passes on that are not one-sided only because their filter
        /// comes from its callers (its parameter, <c>this</c>): `__kvm_gmem_invalidate_begin(f,
        /// start, end, attr_filter)` builds its range with the filter kvm_gmem_invalidate_begin
        /// read from the file. SPEC section 2: a flag taken from the method's own parameter is
        /// followed into its callers. Empty unless the method leaves them to its callers
        /// (<see cref="LeavesRangesToItsCallers"/>), so a range is checked in one place only.
        /// </summary>
        internal ImmutableArray<RangeFromCallers> RangesFromCallers(IMethodSymbol method, FlagKind side)
        {
            method = Normalize(method);
            var cache = _rangesFromCallers[side == FlagKind.OnlyPrivate ? 1 : 0];
            if (cache.TryGetValue(method, out var known))
            {
                return known;
            }

            var ranges = ImmutableArray<RangeFromCallers>.Empty;
            // The callers are looked for last: a path's own ranges are cheaper to find than its
            // callers, and most paths leave nothing to them.
            // A local function may hand on what it reads of its method's parameters, which its calls bind.
            if (IsPathOfSide(method, side) && (!method.Parameters.IsEmpty || method.MethodKind == MethodKind.LocalFunction) && BodyGraph(method) is { } graph)
            {
                if (!SummaryReentry<RangeFromCallers>.TryEnter(method))
                {
                    return ImmutableArray<RangeFromCallers>.Empty;
                }

                try
                {
                    var observer = new RangesFromCallersObserver(this, side);
                    if (ForwardDataflow.Run(graph, FlowState.Empty, new OperationTransfer(_roles, this, observer, FlowFacts.Flags), CancellationToken.None) is not null)
                    {
                        ranges = observer.Ranges.Count > 0 && LeavesRangesToItsCallers(method, side) ? observer.Ranges.ToImmutableArray() : ImmutableArray<RangeFromCallers>.Empty;
                    }
                }
                finally
                {
                    SummaryReentry<RangeFromCallers>.Exit();
                }
            }

            return cache.GetOrAdd(method, ranges);
        }

        /// <summary>
        /// Whether a path's ranges whose filter its callers give are checked at those callers:
        /// it has callers in the compilation, and every one is inside a path that needs the same
        /// side, whose rule then checks the call. Otherwise the path is checked as if the
        /// parameter were unknown, as a method with no caller is.
        /// </summary>
        internal bool LeavesRangesToItsCallers(IMethodSymbol method, FlagKind side)
        {
            method = Normalize(method);
            return _everyCallerIsAPath[side == FlagKind.OnlyPrivate ? 1 : 0].GetOrAdd(method, m => ComputeEveryCallerIsAPath(m, side));
        }

        private bool ComputeEveryCallerIsAPath(IMethodSymbol method, FlagKind side)
        {
            if (method.MethodKind == MethodKind.LocalFunction)
            {
                // Its callers are its calls in its method's body, a path of the same side.
                return HasCallers(method);
            }

            if (method.MethodKind != MethodKind.Ordinary)
            {
                return false;
            }

            var any = false;
            foreach (var (node, model) in References(method))
            {
                // Only a call is a caller the rule can check; a method group may be run anywhere.
                if (node.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax
                    && !(node.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access && access.Name == node && access.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax))
                {
                    return false;
                }

                var caller = model.GetEnclosingSymbol(node.SpanStart);
                while (caller is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
                {
                    caller = caller.ContainingSymbol;
                }

                // A recursive call hands the filter on to the method itself: its other callers decide.
                if (caller is IMethodSymbol self && SymbolEqualityComparer.Default.Equals(Normalize(self), method))
                {
                    continue;
                }

                if (caller is not IMethodSymbol callerMethod || !IsPathOfSide(callerMethod, side))
                {
                    return false;
                }

                any = true;
            }

            return any;
        }

        /// <summary>Gathers the ranges a path passes on whose filter is one-sided unless its callers say otherwise.</summary>
        private sealed class RangesFromCallersObserver : FlowObserver
        {
            private readonly MethodSummaries _summaries;
            private readonly FlagKind _side;

            internal RangesFromCallersObserver(MethodSummaries summaries, FlagKind side)
            {
                _summaries = summaries;
                _side = side;
            }

            internal List<RangeFromCallers> Ranges { get; } = new List<RangeFromCallers>();

            internal override bool ObservesInvocations => true;

            internal override bool ObservesCallBindings => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                foreach (var (index, rangeType) in Rules.OneSidedRangeReporter.CheckedRanges(invocation, _summaries._roles, _summaries))
                {
                    if (argumentPlaces[index].IsValid)
                    {
                        Add(state.Get(argumentPlaces[index].Flag(_side)), state.Get(argumentPlaces[index].Flag(_side.Other())), rangeType);
                    }
                }
            }

            internal override void OnCallBinding(IInvocationOperation invocation, Func<BoolValue, BoolValue> bind)
            {
                // A path that hands its callers' filter on to another path that leaves it to its callers.
                foreach (var range in _summaries.RangesFromCallers(invocation.TargetMethod, _side))
                {
                    Add(bind(range.Side), bind(range.Other), range.RangeType);
                }
            }

            private void Add(BoolValue side, BoolValue other, ITypeSymbol rangeType)
            {
                if (Rules.OneSidedRangeReporter.IsOneSided(side, other, _side) || !Rules.OneSidedRangeReporter.FromTheCallers(side, other))
                {
                    return;
                }

                side = side.WithoutSites();
                other = other.WithoutSites();
                foreach (var known in Ranges)
                {
                    if (known.Side.Equals(side) && known.Other.Equals(other))
                    {
                        return;
                    }
                }

                Ranges.Add(new RangeFromCallers(side, other, rangeType));
            }
        }
    }
}
