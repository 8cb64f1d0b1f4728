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
    /// What a helper's returned gfn range holds (SPEC section 2: a flag is followed through
    /// "helpers ... that set a flag through ... their return value"): a port's factory
    /// <c>KvmGfnRange.Shared(slot, start, end)</c> or <c>kvm_gfn_range make(bool shared)</c>.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffect>> _returnedFlags =
            new ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffect>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, SummaryBox<FlagEffect>>? _computeReturnedFlags;

        /// <summary>
        /// The flags of the range the method returns, per path (each a value a call binds to its
        /// arguments, see <see cref="FlagEffect.OnlyPrivateByPath"/>); null when the method returns
        /// no range by value, has no body here, or may be overridden (another body may run).
        /// </summary>
        internal FlagEffect? ReturnedFlagsOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly || method.DeclaringSyntaxReferences.IsEmpty
                || !(_roles.IsGfnRangeType(method.ReturnType) || ReturnsAFilter(method)) || MayBeOverridden(method))
            {
                return null;
            }

            if (_returnedFlags.TryGetValue(method, out var known))
            {
                return known.Value;
            }

            return Guarded(method, SummaryBox<FlagEffect>.None, _returnedFlags, _computeReturnedFlags ??= m => new SummaryBox<FlagEffect>(ComputeReturnedFlags(m))).Value;
        }

        /// <summary>
        /// Does the helper only build its returned range from the range it gets at
        /// <paramref name="ordinal"/> (<c>r.AsShared()</c>, <c>shared_from(r)</c>)? Then the range passed
        /// there is no range passed on, and KVM0002/KVM0005 check what the helper returns instead: it
        /// returns both flags as constants, and uses the parameter only for its members or as the
        /// value it returns (it hands it to no call).
        /// </summary>
        internal bool OnlyBuildsFrom(IMethodSymbol method, int ordinal)
        {
            method = Normalize(method);
            if (ReturnedFlagsOf(method) is not { OnlyPrivate: { } onlyPrivate, OnlyShared: { } onlyShared }
                || !IsConstant(onlyPrivate) || !IsConstant(onlyShared)
                || ordinal >= method.Parameters.Length || method.Parameters[ordinal].RefKind != RefKind.None)
            {
                return false;
            }

            return _onlyBuildsFrom.GetOrAdd(method, _computeOnlyBuildsFrom ??= ComputeOnlyBuildsFrom).Contains(ordinal);
        }

        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _onlyBuildsFrom =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<int>>? _computeOnlyBuildsFrom;

        private static bool IsConstant(BoolValue value) => value.IsDefinitelyTrue || value.IsDefinitelyFalse;

        private ImmutableArray<int> ComputeOnlyBuildsFrom(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return ImmutableArray<int>.Empty;
            }

            var handedOn = new HashSet<int>();
            foreach (var operation in body.Descendants())
            {
                if (operation is IParameterReferenceOperation { Parameter: { } parameter } reference
                    && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, method.OriginalDefinition)
                    && !(reference.Parent is IMemberReferenceOperation member && member.Instance == reference)
                    && reference.Parent is not (IReturnOperation or IWithOperation))
                {
                    handedOn.Add(parameter.Ordinal);
                }
            }

            var built = ImmutableArray.CreateBuilder<int>();
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(parameter.Type) && !handedOn.Contains(parameter.Ordinal))
                {
                    built.Add(parameter.Ordinal);
                }
            }

            return built.ToImmutable();
        }

        private static bool MayBeOverridden(IMethodSymbol method) =>
            (method.IsVirtual || method.IsAbstract || (method.IsOverride && !method.IsSealed))
            && !method.ContainingType.IsSealed && !method.ContainingType.IsValueType;

        /// <summary>
        /// A filter helper (<c>kvm_gfn_range_filter filter_for(bool private)</c>): its value is followed
        /// as two bits, held where a range's two flags are. An integer one counts only when its body
        /// names a filter constant, so that no other integer helper is summarised.
        /// </summary>
        private bool ReturnsAFilter(IMethodSymbol method) =>
            _roles.IsFilterEnum(method.ReturnType) || SymbolRoles.IsIntegerFilterType(method.ReturnType);

        private static bool NamesAFilterConstant(IMethodSymbol method)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                foreach (var token in reference.GetSyntax().DescendantTokens())
                {
                    if (RoleCatalog.FilterSharedNames.Contains(token.ValueText) || RoleCatalog.FilterPrivateNames.Contains(token.ValueText))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private FlagEffect? ComputeReturnedFlags(IMethodSymbol method)
        {
            var returnsRange = _roles.IsGfnRangeType(method.ReturnType);
            if ((!returnsRange && SymbolRoles.IsIntegerFilterType(method.ReturnType) && !NamesAFilterConstant(method))
                || BodyGraph(method) is not { } graph)
            {
                return null;
            }

            // A range parameter (or `this` range) starts with its callers' flags, held explicitly, so
            // a range returned as given, or copied and returned, ends with values a call can bind.
            // (A filter parameter needs nothing: its bits read as its callers'.)
            var entry = FlowState.Empty;
            foreach (var parameter in method.Parameters)
            {
                if (_roles.IsGfnRangeType(parameter.Type))
                {
                    entry = FromTheCaller(entry, FlowLocation.ForSymbol(parameter));
                }
            }

            if (!method.IsStatic && _roles.IsGfnRangeType(method.ContainingType))
            {
                entry = FromTheCaller(entry, new FlowLocation(FlowLocation.ThisRoot, string.Empty));
            }

            var transfer = new OperationTransfer(_roles, this, null, FlowFacts.Flags);
            if (ForwardDataflow.Run(graph, entry, transfer, CancellationToken.None) is not { } inputs)
            {
                return null;
            }

            var paths = AtReturns(method, graph, inputs, (block, path) =>
            {
                if (!returnsRange)
                {
                    var (shared, @private) = transfer.TransferToFilter(block, path);
                    return (@private, shared);
                }

                var (state, returned) = transfer.TransferToValue(block, path);
                return returned.IsValid
                    ? (state.Get(returned.Flag(FlagKind.OnlyPrivate)), state.Get(returned.Flag(FlagKind.OnlyShared)))
                    : (BoolValue.Unknown, BoolValue.Unknown);
            });

            // None when every path throws.
            return paths.Count == 0 ? null : paths.ToEffect();
        }

        /// <summary>
        /// What each path that returns hands back, read by <paramref name="read"/> at its returning
        /// block (without sites), with the bool parameters the path decided.
        /// </summary>
        private PathFlags AtReturns(IMethodSymbol method, ControlFlowGraph graph, PathStates?[] inputs, System.Func<BasicBlock, FlowState, (BoolValue Private, BoolValue Shared)> read)
        {
            var decidable = DecidedParameters.Candidates(method, BodyOperation(method));
            var paths = new PathFlags();
            foreach (var block in graph.Blocks)
            {
                if (block.FallThroughSuccessor?.Semantics != ControlFlowBranchSemantics.Return || block.BranchValue is null || inputs[block.Ordinal] is not { } states)
                {
                    continue;
                }

                foreach (var path in states.Paths)
                {
                    var (onlyPrivate, onlyShared) = read(block, path);
                    paths.Add(onlyPrivate.WithoutSites(), onlyShared.WithoutSites(), DecidedParameters.On(path, decidable));
                }
            }

            return paths;
        }

        /// <summary>The range's two flags as its caller gives them: unknowns a call binds to its arguments.</summary>
        private static FlowState FromTheCaller(FlowState state, FlowLocation range)
        {
            foreach (var flag in new[] { FlagKind.OnlyPrivate, FlagKind.OnlyShared })
            {
                state = state.Set(range.Flag(flag), BoolValue.UnknownFrom(range.Flag(flag)));
            }

            return state;
        }
    }
}
