using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
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
                || !_roles.IsGfnRangeType(method.ReturnType) || MayBeOverridden(method))
            {
                return null;
            }

            if (_returnedFlags.TryGetValue(method, out var known))
            {
                return known.Value;
            }

            return Guarded(method, SummaryBox<FlagEffect>.None, _returnedFlags, _computeReturnedFlags ??= m => new SummaryBox<FlagEffect>(ComputeReturnedFlags(m))).Value;
        }

        private static bool MayBeOverridden(IMethodSymbol method) =>
            (method.IsVirtual || method.IsAbstract || (method.IsOverride && !method.IsSealed))
            && !method.ContainingType.IsSealed && !method.ContainingType.IsValueType;

        private FlagEffect? ComputeReturnedFlags(IMethodSymbol method)
        {
            if (BodyGraph(method) is not { } graph)
            {
                return null;
            }

            // A range parameter (or `this` range) starts with its callers' flags, held explicitly, so
            // a range returned as given, or copied and returned, ends with values a call can bind.
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

            var privateByPath = new List<BoolValue>();
            var sharedByPath = new List<BoolValue>();
            foreach (var block in graph.Blocks)
            {
                if (block.FallThroughSuccessor?.Semantics != ControlFlowBranchSemantics.Return || block.BranchValue is null || inputs[block.Ordinal] is not { } paths)
                {
                    continue;
                }

                foreach (var path in paths.Paths)
                {
                    var (state, returned) = transfer.TransferToValue(block, path);
                    Add(privateByPath, returned.IsValid ? state.Get(returned.Flag(FlagKind.OnlyPrivate)).WithoutSites() : BoolValue.Unknown);
                    Add(sharedByPath, returned.IsValid ? state.Get(returned.Flag(FlagKind.OnlyShared)).WithoutSites() : BoolValue.Unknown);
                }
            }

            if (privateByPath.Count == 0)
            {
                // Every path throws.
                return null;
            }

            return new FlagEffect(Joined(privateByPath), Joined(sharedByPath), ByPath(privateByPath), ByPath(sharedByPath));
        }

        private static FlowState FromTheCaller(FlowState state, FlowLocation range)
        {
            foreach (var flag in new[] { FlagKind.OnlyPrivate, FlagKind.OnlyShared })
            {
                state = state.Set(range.Flag(flag), BoolValue.UnknownFrom(range.Flag(flag)));
            }

            return state;
        }

        private static void Add(List<BoolValue> values, BoolValue value)
        {
            if (!values.Contains(value))
            {
                values.Add(value);
            }
        }

        private static BoolValue Joined(List<BoolValue> values)
        {
            var joined = values[0];
            for (var i = 1; i < values.Count; i++)
            {
                joined = joined.Join(values[i]);
            }

            return joined;
        }

        private static ImmutableArray<BoolValue> ByPath(List<BoolValue> values) => values.Count < 2 ? default : values.ToImmutableArray();
    }
}
