using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// A <c>lock</c> statement Roslyn gives no lowering for: on a System.Threading.Lock with nullable
    /// annotations enabled (the default of a new .NET 9+ project), the compiler's operation tree has
    /// an invalid operation for the statement, and the graph an expression statement of the locked
    /// value followed by the body, with no try/finally. The statement still takes the lock where it
    /// starts and drops it wherever control leaves its body (falling out of it, a break, a goto, a
    /// return), so that is what is followed here, by the statement's extent.
    /// </summary>
    internal sealed partial class OperationTransfer
    {
        // The graph's unlowered lock statements (null when it has none: most graphs), with the lock
        // each took, by the statement (see EnterUnloweredLock).
        private List<IOperation>? _unloweredLocks;
        private readonly Dictionary<IOperation, FlowLocation> _unloweredLockTaken = new Dictionary<IOperation, FlowLocation>();

        public FlowState Leaving(FlowState state, bool observe)
        {
            if (_unloweredLocks is null)
            {
                return state;
            }

            _state = state;
            _observe = observe;
            LeaveUnloweredLocks(null);
            var output = _state.Publish();
            _state = FlowState.Empty;
            return output;
        }

        /// <summary>Finds the graph's unlowered lock statements, so that only a graph with one pays for them.</summary>
        private void FindUnloweredLocks(ControlFlowGraph graph)
        {
            _unloweredLocks = null;
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (LockOperations.UnloweredLockValue(operation) is { } locked && IsLockReference(locked))
                    {
                        (_unloweredLocks ??= new List<IOperation>()).Add(operation);
                    }
                }
            }
        }

        /// <summary>Evaluates one of the block's operations: the start of an unlowered lock statement takes the lock; any operation past one's body drops it first.</summary>
        private void EvaluateInUnloweredLocks(IOperation operation)
        {
            LeaveUnloweredLocks(operation.Syntax);
            if (_unloweredLocks!.Contains(operation))
            {
                EnterUnloweredLock(operation);
            }
            else
            {
                Evaluate(operation);
            }
        }

        private void EnterUnloweredLock(IOperation statement)
        {
            var owner = OwnerOfLock(LockOperations.UnloweredLockValue(statement)!);
            var taken = LockOf(owner);
            if (_observe && _observer is { ObservesLockEvents: true })
            {
                _observer.OnLockCall(statement, LockEffect.Acquire, taken, owner.IsValid, _state);
            }

            SetState(taken, BoolValue.True.StoredAt(statement.Syntax));
            _unloweredLockTaken[statement] = taken;
        }

        /// <summary>
        /// Drops the lock of each unlowered lock statement that took it on this path and whose body
        /// does not contain <paramref name="at"/> (null: the method is left).
        /// </summary>
        private void LeaveUnloweredLocks(SyntaxNode? at)
        {
            foreach (var statement in _unloweredLocks!)
            {
                var body = ((LockStatementSyntax)statement.Syntax).Statement;
                if ((at is not null && (body.Span.Contains(at.Span) || ReferenceEquals(at, statement.Syntax)))
                    || !_unloweredLockTaken.TryGetValue(statement, out var taken)
                    || !_state.Get(taken).TrueSites.Contains(statement.Syntax))
                {
                    continue;
                }

                if (_observe && _observer is { ObservesLockEvents: true })
                {
                    _observer.OnLockCall(statement, LockEffect.Release, taken, true, _state);
                }

                SetState(taken, BoolValue.False);
                OwedFlushesReleased();
            }
        }
    }
}
