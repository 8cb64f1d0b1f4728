using System.Collections.Concurrent;
using System.Threading;
using Microsoft.CodeAnalysis;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What a bool helper of the compilation returns, for a flag's value (SPEC section 2: a value
    /// the method cannot see may be either; a helper of the compilation is one it can see):
    /// <c>only_shared = hva_is_shared()</c>, <c>only_private = side(kvm, false)</c>. Read in the
    /// flag rules' runs only: the lock rules keep a helper's result unknown, so a zap's "flush
    /// needed" and a try-lock's result keep the meaning KVM0003/0006/0007 give them.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffect>> _returnedBools =
            new ConcurrentDictionary<IMethodSymbol, SummaryBox<FlagEffect>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, SummaryBox<FlagEffect>>? _computeReturnedBool;

        /// <summary>
        /// The bool the method returns, per path, in the <see cref="FlagEffect.OnlyShared"/> slot (a
        /// value a call binds to its arguments); null when it returns no bool by value, has no body
        /// here, may be overridden, or plays a role whose result means something else (a zap).
        /// </summary>
        internal FlagEffect? ReturnedBoolOf(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.ReturnType.SpecialType != SpecialType.System_Boolean || method.ReturnsByRef || method.ReturnsByRefReadonly
                || method.DeclaringSyntaxReferences.IsEmpty || method.IsAsync || MayBeOverridden(method) || _roles.IsDirectZap(method))
            {
                return null;
            }

            if (_returnedBools.TryGetValue(method, out var known))
            {
                return known.Value;
            }

            return Guarded(method, SummaryBox<FlagEffect>.None, _returnedBools, _computeReturnedBool ??= m => new SummaryBox<FlagEffect>(ComputeReturnedBool(m))).Value;
        }

        private FlagEffect? ComputeReturnedBool(IMethodSymbol method)
        {
            if (BodyGraph(method) is not { } graph)
            {
                return null;
            }

            var transfer = new OperationTransfer(_roles, this, null, FlowFacts.Flags);
            if (ForwardDataflow.Run(graph, FlowState.Empty, transfer, CancellationToken.None) is not { } inputs)
            {
                return null;
            }

            var paths = AtReturns(method, graph, inputs, (block, path) => (BoolValue.False, Bindable(transfer.TransferToBool(block, path), method, graph)));

            // None when every path throws; nothing worth keeping when every path returns an unknown.
            if (paths.Count == 0)
            {
                return null;
            }

            var effect = paths.ToEffect(privateTouched: false);
            if (!IsPlainUnknown(effect.OnlyShared!.Value))
            {
                return effect;
            }

            var byPath = effect.OnlySharedByPath;
            for (var i = 0; !byPath.IsDefault && i < byPath.Length; i++)
            {
                if (!IsPlainUnknown(byPath[i]))
                {
                    return effect;
                }
            }

            return null;
        }

        private static bool IsPlainUnknown(BoolValue value) => value.IsPureUnknown && value.Origin is null;

        /// <summary>
        /// An unknown a call can bind (read from the helper's own parameter or range flag of
        /// <c>this</c>, or a test of a by-value parameter the helper never writes against a constant:
        /// <c>is_private(attrs) =&gt; (attrs &amp; KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0</c>) as it is; any
        /// other unknown loses where it came from, so that two calls of one helper are two
        /// independent values, not one.
        /// </summary>
        private static BoolValue Bindable(BoolValue value, IMethodSymbol method, Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph graph) =>
            !value.IsPureUnknown || value.Origin is FlowLocation || (value.Origin is ComparisonOrigin test && TestsAnUnwrittenParameter(test, method, graph))
                ? value
                : BoolValue.Unknown;

        private static bool TestsAnUnwrittenParameter(ComparisonOrigin test, IMethodSymbol method, Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph graph) =>
            test.Place is { Path.Length: 0, Fact: PlaceFact.None, Root: IParameterSymbol { RefKind: RefKind.None } parameter }
            && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method)
            && !VariableWrites.WrittenAnywhere(graph).Contains(parameter);
    }
}
