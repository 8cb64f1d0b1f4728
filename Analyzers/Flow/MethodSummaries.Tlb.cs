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
    /// Zaps and TLB flushes as seen from a call site (SPEC section 3, and section 2 "Calls are
    /// followed"): a zap returns whether a flush is needed, a helper that zaps and returns the
    /// result is a zap too, and a helper that flushes before anything else it might skip counts as a flush.
    /// </summary>
    internal sealed partial class MethodSummaries
    {
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _returnsAZapResult = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _alwaysFlushes = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>> _flushesWhenTrue = new ConcurrentDictionary<IMethodSymbol, ImmutableArray<int>>(SymbolEqualityComparer.Default);
        private System.Func<IMethodSymbol, ImmutableArray<int>>? _computeFlushesWhenTrue;

        /// <summary>Does the call return a zap's "flush needed": a zap of the catalogue that returns bool, or a helper that returns one's result?</summary>
        internal bool IsZap(IInvocationOperation invocation) => IsZap(invocation.TargetMethod);

        internal bool IsZap(IMethodSymbol method)
        {
            if (method.ReturnType.SpecialType != SpecialType.System_Boolean)
            {
                return false;
            }

            method = Normalize(method);
            if (_roles.IsDirectZap(method))
            {
                return true;
            }

            if (_returnsAZapResult.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } name && !_context.Gate.MayZap(name))
            {
                return false;
            }

            return Guarded(method, false, _returnsAZapResult, ComputeReturnsAZapResult);
        }

        /// <summary>
        /// Does the call flush the TLBs: a flush of the catalogue, a helper whose body flushes before
        /// it can return, or a delegate that is one (see <see cref="DelegateFlushes"/>)? A graph
        /// invokes <c>flush?.Invoke(kvm)</c> on a capture: <paramref name="invoked"/> is then what it captured.
        /// </summary>
        internal bool FlushesTlbs(IInvocationOperation invocation, IOperation? invoked = null) =>
            invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke
                ? DelegateFlushes(invoked ?? invocation.Instance, onSomePath: false)
                : FlushesTlbs(invocation.TargetMethod);

        /// <summary>Could the call flush the TLBs on some path (see <see cref="MayFlushTlbs(IMethodSymbol)"/>), a delegate's too?</summary>
        internal bool MayFlushTlbs(IInvocationOperation invocation, IOperation? invoked = null) =>
            invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke
                ? DelegateFlushes(invoked ?? invocation.Instance, onSomePath: true)
                : MayFlushTlbs(invocation.TargetMethod);

        /// <summary>
        /// A delegate invoked flushes when it is named as a flush (an ops table's field, a parameter)
        /// or holds a function that flushes (a lambda, a method group, a local initialised with one).
        /// </summary>
        private bool DelegateFlushes(IOperation? invoked, bool onSomePath)
        {
            var holder = (invoked is null ? null : LockOperations.Unwrap(invoked)) switch
            {
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation { Arguments.IsEmpty: true } property => property.Property,
                IParameterReferenceOperation parameter => parameter.Parameter,
                ILocalReferenceOperation local => local.Local,
                _ => (ISymbol?)null,
            };
            if (holder is not null && _roles.IsTlbFlushDelegate(holder))
            {
                return true;
            }

            return InvokedFunction(invoked) is { } function && (onSomePath ? MayFlushTlbs(function) : FlushesTlbs(function));
        }

        internal bool FlushesTlbs(IMethodSymbol method)
        {
            method = Normalize(method);
            if (_roles.IsDirectTlbFlush(method))
            {
                return true;
            }

            if (_alwaysFlushes.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } name && !_context.Gate.MayFlushTlbs(name))
            {
                return false;
            }

            return Guarded(method, false, _alwaysFlushes, ComputeAlwaysFlushes);
        }

        /// <summary>
        /// Could the call flush the TLBs on some path: a flush, or a helper of the compilation whose
        /// body may reach one (by the gate's names, which may over-count, never under-count).
        /// </summary>
        internal bool MayFlushTlbs(IMethodSymbol method)
        {
            if (FlushesTlbs(method))
            {
                return true;
            }

            method = Normalize(method);
            if (method.DeclaringSyntaxReferences.IsEmpty)
            {
                return false;
            }

            if (GateName(method) is { } name)
            {
                return _context.Gate.MayFlushTlbs(name);
            }

            // A lambda or local function has no name the gate indexes: what its body calls says.
            return method.MethodKind is not (MethodKind.LocalFunction or MethodKind.AnonymousFunction)
                || Guarded(method, false, _nestedMayFlush, _computeNestedMayFlush ??= NestedMayFlush);
        }

        private readonly ConcurrentDictionary<IMethodSymbol, bool> _nestedMayFlush = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);
        private System.Func<IMethodSymbol, bool>? _computeNestedMayFlush;

        /// <summary>Whether a lambda's or local function's body may reach a flush: a call in it that may, or any other call of the compilation it makes (a constructor, an accessor, an operator).</summary>
        private bool NestedMayFlush(IMethodSymbol function)
        {
            if (BodyOperation(function) is not { } body)
            {
                return true;
            }

            foreach (var operation in body.Descendants())
            {
                if (operation is IInvocationOperation invocation ? MayFlushTlbs(invocation) : MethodSummaries.CalledBy(operation) is not null)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The ordinals of the bool parameters the helper flushes for: on every path where one is
        /// true it flushes the TLBs before it returns (<c>if (flush) kvm_flush_remote_tlbs(kvm);</c>, or
        /// mmu.c's <c>kvm_mmu_remote_flush_or_zap(kvm, invalid_list, flush)</c>). A zap's result passed
        /// there is flushed for. Empty for a helper that always flushes (see <see cref="FlushesTlbs(IMethodSymbol)"/>).
        /// </summary>
        internal ImmutableArray<int> FlushesWhenTrue(IMethodSymbol method)
        {
            method = Normalize(method);
            if (method.DeclaringSyntaxReferences.IsEmpty || !HasABoolParameter(method))
            {
                return ImmutableArray<int>.Empty;
            }

            if (_flushesWhenTrue.TryGetValue(method, out var known))
            {
                return known;
            }

            if (GateName(method) is { } name && !_context.Gate.MayFlushTlbs(name))
            {
                return ImmutableArray<int>.Empty;
            }

            return Guarded(method, ImmutableArray<int>.Empty, _flushesWhenTrue, _computeFlushesWhenTrue ??= ComputeFlushesWhenTrue);
        }

        private static bool HasABoolParameter(IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (IsFlushFlag(parameter))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsFlushFlag(IParameterSymbol parameter) => parameter.RefKind == RefKind.None && parameter.Type.SpecialType == SpecialType.System_Boolean;

        /// <summary>The flush a bool parameter owes, as if the caller passed a zap's result there.</summary>
        private static FlowLocation OwedFor(IParameterSymbol parameter) => FlowLocation.ForSymbol(parameter).With(PlaceFact.FlushOwed);

        /// <summary><paramref name="state"/> with every bool flush parameter of <paramref name="method"/> owing its flush.</summary>
        private static FlowState WithFlushParametersOwed(FlowState state, IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (IsFlushFlag(parameter))
                {
                    state = state.Set(OwedFor(parameter), BoolValue.True);
                }
            }

            return state;
        }

        /// <summary>
        /// Each bool parameter starts as a zap's result that owes a flush, as in the caller; a
        /// parameter is flushed for when no path leaves the helper still owing it (a test that
        /// finds it false settles it, as at the caller's <c>if (flush)</c>).
        /// </summary>
        private ImmutableArray<int> ComputeFlushesWhenTrue(IMethodSymbol method)
        {
            if (BodyGraph(method) is not { } graph)
            {
                return ImmutableArray<int>.Empty;
            }

            var entry = WithFlushParametersOwed(FlowState.Empty, method);
            var transfer = new OperationTransfer(_roles, this, null, FlowFacts.Flush);
            if (ForwardDataflow.Run(graph, entry, transfer, CancellationToken.None) is not { } inputs
                || ForwardDataflow.ExitState(graph, inputs) is not { } exit)
            {
                return ImmutableArray<int>.Empty;
            }

            var flushed = ImmutableArray.CreateBuilder<int>();
            foreach (var parameter in method.Parameters)
            {
                var owed = OwedFor(parameter);
                if (IsFlushFlag(parameter) && AllPaths(exit, path => path.Get(owed).IsDefinitelyFalse))
                {
                    flushed.Add(parameter.Ordinal);
                }
            }

            return flushed.ToImmutable();
        }

        /// <summary>
        /// A helper that zaps and returns the result (<c>return kvm_unmap_gfn_range(kvm, range);</c>,
        /// or a local that holds a zap's result): its caller then owns the flush.
        /// </summary>
        private bool ComputeReturnsAZapResult(IMethodSymbol method)
        {
            if (BodyOperation(method) is not { } body)
            {
                return false;
            }

            foreach (var operation in body.Descendants())
            {
                if (operation is IReturnOperation { ReturnedValue: { } returned } && !IsInNestedFunction(operation, body)
                    && (ZapIn(returned) || (LockOperations.Unwrap(returned) is ILocalReferenceOperation local && HoldsAZapResult(body, local.Local) && MayReturnUnflushed(method, local.Local))))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether some path leaves the helper with the zap result in <paramref name="local"/> still
        /// owing its flush. One that flushes for it first (<c>var flush = zap(...); if (flush)
        /// kvm_flush_remote_tlbs(kvm); return flush;</c>) returns what was zapped, not a flush owed.
        /// </summary>
        private bool MayReturnUnflushed(IMethodSymbol method, ILocalSymbol local)
        {
            // The cheap answer first: a helper whose body reaches no flush (the gate's names) cannot have flushed.
            if (!MayFlushTlbs(method) || BodyGraph(method) is not { } graph)
            {
                return true;
            }

            var owed = FlowLocation.ForSymbol(local).With(PlaceFact.FlushOwed);
            var transfer = new OperationTransfer(_roles, this, null, FlowFacts.Flush);
            return ForwardDataflow.Run(graph, FlowState.Empty, transfer, CancellationToken.None) is not { } inputs
                || ForwardDataflow.ExitState(graph, inputs) is not { } exit
                || !AllPaths(exit, path => !path.Get(owed).MayBeTrue);
        }

        /// <summary>Is the local given a zap's result anywhere in the body (<c>=</c>, <c>|=</c>, its initializer)?</summary>
        private bool HoldsAZapResult(IOperation body, ILocalSymbol local)
        {
            foreach (var operation in body.Descendants())
            {
                var (target, value) = operation switch
                {
                    ISimpleAssignmentOperation simple => (simple.Target, simple.Value),
                    ICompoundAssignmentOperation compound => (compound.Target, compound.Value),
                    IVariableDeclaratorOperation { Initializer.Value: { } initial } declarator => ((IOperation?)null, initial),
                    _ => (null, null),
                };
                var assigned = operation is IVariableDeclaratorOperation d ? SymbolEqualityComparer.Default.Equals(d.Symbol, local)
                    : target is ILocalReferenceOperation l && SymbolEqualityComparer.Default.Equals(l.Local, local);
                if (assigned && value is not null && ZapIn(value))
                {
                    return true;
                }
            }

            return false;
        }

        private bool ZapIn(IOperation value) => ZapResultIn(value) is not null;

        /// <summary>
        /// The zap whose "flush needed" <paramref name="value"/> is, or is or-ed from
        /// (<c>zap(...)</c>, <c>zap(...) || flush</c>), through the flow captures a graph made of
        /// the value when <paramref name="captures"/> are given; null when it holds no zap's result.
        /// </summary>
        internal IInvocationOperation? ZapResultIn(IOperation value, IReadOnlyDictionary<CaptureId, IOperation?>? captures = null)
        {
            switch (LockOperations.Unwrap(value))
            {
                case IInvocationOperation invocation when IsZap(invocation):
                    return invocation;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr } or:
                    return ZapResultIn(or.LeftOperand, captures) ?? ZapResultIn(or.RightOperand, captures);
                case IFlowCaptureReferenceOperation capture when captures is not null && captures.TryGetValue(capture.Id, out var captured) && captured is not null:
                    return ZapResultIn(captured, captures);
                default:
                    return null;
            }
        }

        /// <summary>
        /// A helper counts as a flush when one of its body's top-level statements flushes before
        /// any statement that could return or branch around it: a conservative "on every path"
        /// that needs no graph (one it misses is a flush the rule does not credit, never a report it should not make).
        /// </summary>
        private bool ComputeAlwaysFlushes(IMethodSymbol method)
        {
            var body = BodyOperation(method) switch
            {
                IMethodBodyOperation methodBody => methodBody.BlockBody ?? methodBody.ExpressionBody,
                IBlockOperation block => block,
                // `Action flush = () => kvm_flush_remote_tlbs(kvm);`, `void flush() => ...`: invoked, their bodies run.
                IAnonymousFunctionOperation lambda => lambda.Body,
                ILocalFunctionOperation local => local.Body ?? local.IgnoredBody,
                _ => null,
            };
            if (body is null)
            {
                return false;
            }

            foreach (var statement in body.Operations)
            {
                if (statement is IExpressionStatementOperation { Operation: IInvocationOperation call } && FlushesTlbs(call))
                {
                    return true;
                }

                if (statement is IReturnOperation { ReturnedValue: IInvocationOperation returned } && FlushesTlbs(returned))
                {
                    return true;
                }

                foreach (var inner in statement.DescendantsAndSelf())
                {
                    if (inner is IReturnOperation or IBranchOperation or IThrowOperation)
                    {
                        return false;
                    }
                }
            }

            return false;
        }
    }
}
