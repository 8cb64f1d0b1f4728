using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// The zap results a lambda or local function keeps in a bool it captured (KVM0006):
    /// <c>void zap_slot(kvm_memory_slot slot) { ...; flush |= kvm_unmap_gfn_range(kvm, ref r); }</c>
    /// leaves <c>flush</c> owing a TLB flush wherever the function runs (SPEC section 2: what it does
    /// happens there). Only a function that neither flushes nor touches the lock itself: one that
    /// does settles, or reports, its own results in its own graph.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<(ILocalSymbol Holder, IInvocationOperation Zap)>> _capturedZapResults =
            new ConcurrentDictionary<IMethodSymbol, ImmutableArray<(ILocalSymbol, IInvocationOperation)>>(SymbolEqualityComparer.Default);

        private System.Func<IMethodSymbol, ImmutableArray<(ILocalSymbol Holder, IInvocationOperation Zap)>>? _computeCapturedZapResults;

        /// <summary>The captured bool locals the function stores a zap's "flush needed" into, each with the zap.</summary>
        internal ImmutableArray<(ILocalSymbol Holder, IInvocationOperation Zap)> CapturedZapResultsOf(IMethodSymbol function)
        {
            function = function.OriginalDefinition;
            return function.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction
                ? _capturedZapResults.GetOrAdd(function, _computeCapturedZapResults ??= ComputeCapturedZapResults)
                : ImmutableArray<(ILocalSymbol, IInvocationOperation)>.Empty;
        }

        private ImmutableArray<(ILocalSymbol Holder, IInvocationOperation Zap)> ComputeCapturedZapResults(IMethodSymbol function)
        {
            if (BodyOperation(function) is not { } body)
            {
                return ImmutableArray<(ILocalSymbol, IInvocationOperation)>.Empty;
            }

            var found = ImmutableArray.CreateBuilder<(ILocalSymbol, IInvocationOperation)>();
            foreach (var operation in body.Descendants())
            {
                if (operation is IInvocationOperation call && MayFlushTlbs(call))
                {
                    return ImmutableArray<(ILocalSymbol, IInvocationOperation)>.Empty;
                }

                // `flush |= zap(...)`, `flush = zap(...)`, `flush = zap(...) || flush`, in the function's own body.
                if (operation is IAssignmentOperation { Target: ILocalReferenceOperation { Local: { Type.SpecialType: SpecialType.System_Boolean } holder } } assignment
                    and (ISimpleAssignmentOperation or ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Or })
                    && !IsDeclaredIn(holder, function)
                    && SymbolEqualityComparer.Default.Equals(NestedFunctionsRun.EnclosingFunction(assignment)?.OriginalDefinition, function)
                    && ZapResultIn(assignment is ISimpleAssignmentOperation simple ? simple.Value : ((ICompoundAssignmentOperation)assignment).Value) is { } zap)
                {
                    found.Add((holder, zap));
                }
            }

            return found.Count == 0 || MayTouchTheLock(body) ? ImmutableArray<(ILocalSymbol, IInvocationOperation)>.Empty : found.ToImmutable();
        }
    }
}
