using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a bool helper's result says about a range it tests (SPEC section 2: pattern tests
    /// narrow, and helpers of the compilation are followed): <c>static bool is_shared(this in
    /// kvm_gfn_range r) =&gt; r.attr_filter == KVM_FILTER_SHARED;</c>, or a range's own
    /// <c>bool IsSharedOnly =&gt; only_shared &amp;&amp; !only_private;</c>. A caller's
    /// <c>if (!range.is_shared()) return;</c> then narrows the range as the test in the helper does.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<RangeTest>> _rangeTests =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<RangeTest>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<RangeTest>>? _computeRangeTests;

        /// <summary>
        /// The ranges a bool helper tests, each with the flags its true and its false result leave
        /// known (the range's parameter ordinal, or -1 for <c>this</c>); empty for any other method.
        /// </summary>
        internal ImmutableArray<RangeTest> TestOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.ReturnType.SpecialType != SpecialType.System_Boolean || method.ReturnsByRef || method.ReturnsByRefReadonly
                || method.DeclaringSyntaxReferences.IsEmpty || method.IsAsync || MayBeOverridden(method) || _roles.IsDirectZap(method))
            {
                return ImmutableArray<RangeTest>.Empty;
            }

            if (_rangeTests.TryGetValue(method, out var known))
            {
                return known;
            }

            return Guarded(method, ImmutableArray<RangeTest>.Empty, _rangeTests, _computeRangeTests ??= ComputeRangeTests);
        }

        private ImmutableArray<RangeTest> ComputeRangeTests(IMethodSymbol method)
        {
            var candidates = new List<(int Ordinal, FlowLocation Place)>();
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(parameter.Type))
                {
                    candidates.Add((parameter.Ordinal, FlowLocation.ForSymbol(parameter)));
                }
            }

            if (!method.IsStatic && _roles.IsGfnRangeType(method.ContainingType))
            {
                candidates.Add((-1, new FlowLocation(FlowLocation.ThisRoot, string.Empty)));
            }

            if (candidates.Count == 0 || BodyGraph(method) is not { } graph)
            {
                return ImmutableArray<RangeTest>.Empty;
            }

            var entry = FlowState.Empty;
            foreach (var (_, place) in candidates)
            {
                entry = FromTheCaller(entry, place);
            }

            var transfer = new OperationTransfer(_roles, this, null, FlowFacts.Flags);
            if (ForwardDataflow.Run(graph, entry, transfer, CancellationToken.None) is not { } inputs)
            {
                return ImmutableArray<RangeTest>.Empty;
            }

            var whenTrue = new List<FlowState>();
            var whenFalse = new List<FlowState>();
            foreach (var block in graph.Blocks)
            {
                if (block.FallThroughSuccessor?.Semantics != ControlFlowBranchSemantics.Return || block.BranchValue is null || inputs[block.Ordinal] is not { } states)
                {
                    continue;
                }

                foreach (var path in states.Paths)
                {
                    var (onTrue, onFalse) = transfer.TransferToOutcomes(block, path);
                    if (onTrue is not null)
                    {
                        whenTrue.Add(onTrue);
                    }

                    if (onFalse is not null)
                    {
                        whenFalse.Add(onFalse);
                    }
                }
            }

            var tests = ImmutableArray.CreateBuilder<RangeTest>();
            foreach (var (ordinal, place) in candidates)
            {
                var test = new RangeTest(ordinal, KnownOn(whenTrue, place), KnownOn(whenFalse, place));
                if (!test.IsNone)
                {
                    tests.Add(test);
                }
            }

            return tests.ToImmutable();
        }

        /// <summary>The flags of <paramref name="place"/> every one of <paramref name="states"/> knows alike (null where they do not).</summary>
        private static (bool? OnlyPrivate, bool? OnlyShared) KnownOn(List<FlowState> states, FlowLocation place)
        {
            bool? Known(FlagKind flag)
            {
                bool? known = null;
                foreach (var state in states)
                {
                    var value = state.Get(place.Flag(flag));
                    if (!(value.IsDefinitelyTrue || value.IsDefinitelyFalse) || (known is { } before && before != value.IsDefinitelyTrue))
                    {
                        return null;
                    }

                    known = value.IsDefinitelyTrue;
                }

                return known;
            }

            return states.Count == 0 ? (null, null) : (Known(FlagKind.OnlyPrivate), Known(FlagKind.OnlyShared));
        }

        /// <summary>
        /// Does the helper only read the range at <paramref name="ordinal"/> (<c>is_shared(in r)</c>,
        /// <c>npages(r)</c>)? It returns what it reads of the range's members (and no range: a
        /// builder's result is checked as a range), uses the range for nothing else and makes no
        /// call at all, so the range passed there is not passed on (KVM0002/KVM0005 check the
        /// calls that act on it). A stub that ignores its range
        /// (<c>kvm_age_gfn(kvm, in range) =&gt; false</c>) stands for a handler, and is checked.
        /// </summary>
        internal bool OnlyReads(IMethodSymbol method, int ordinal)
        {
            method = Normalize(method);
            if (method.ReturnsVoid || _roles.IsGfnRangeType(method.ReturnType) || ordinal >= method.Parameters.Length || method.Parameters[ordinal].RefKind is RefKind.Ref or RefKind.Out
                || method.DeclaringSyntaxReferences.IsEmpty || MayBeOverridden(method) || _roles.IsDirectZap(method))
            {
                return false;
            }

            return _onlyReads.GetOrAdd(method, _computeOnlyReads ??= ComputeOnlyReads).Contains(ordinal);
        }

        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _onlyReads =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<int>>? _computeOnlyReads;

        private ImmutableArray<int> ComputeOnlyReads(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return ImmutableArray<int>.Empty;
            }

            var usedWhole = new HashSet<int>();
            var read = new HashSet<int>();
            foreach (var operation in body.Descendants())
            {
                switch (operation)
                {
                    case IInvocationOperation or IObjectCreationOperation { Constructor.IsImplicitlyDeclared: false } or IDynamicInvocationOperation
                        or IAnonymousFunctionOperation or ILocalFunctionOperation:
                        // A call could act on what it reads from the range: the helper is no mere test.
                        return ImmutableArray<int>.Empty;
                    case IParameterReferenceOperation { Parameter: { } parameter } reference
                        when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, method.OriginalDefinition):
                        (reference.Parent is IMemberReferenceOperation member && member.Instance == reference ? read : usedWhole).Add(parameter.Ordinal);
                        break;
                }
            }

            var reads = ImmutableArray.CreateBuilder<int>();
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(RangeTypeOf(parameter.Type)) && read.Contains(parameter.Ordinal) && !usedWhole.Contains(parameter.Ordinal))
                {
                    reads.Add(parameter.Ordinal);
                }
            }

            return reads.ToImmutable();
        }

        private static ITypeSymbol RangeTypeOf(ITypeSymbol type) => type is IPointerTypeSymbol pointer ? pointer.PointedAtType : type;
    }
}
