using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Tuples (SPEC section 2): a deconstruction <c>(r.only_private, r.only_shared) = (false, true)</c>
    /// or <c>var (p, s) = (false, true)</c> stores each element of the tuple on the right into the
    /// target at its position, all of the right evaluated first (so <c>(a, b) = (b, a)</c> swaps).
    /// A right side that is no tuple literal (a call's tuple) still runs, and leaves each target unknown.
    /// </summary>
    internal sealed partial class OperationTransfer
    {
        private void Deconstruct(IDeconstructionAssignmentOperation deconstruction)
        {
            // In source order: each target with the value at its position (null when the right side
            // is no tuple there), and each right side that is no tuple literal (a call's tuple), to
            // run with no target of its own.
            var steps = new List<(IOperation? Target, IOperation? Value)>();
            Pair(deconstruction.Target, deconstruction.Value, steps);

            // The right side first, in order, each range copied aside: a target written first must
            // not change a value read later.
            var evaluated = new (BoolValue Value, FlowLocation Place)[steps.Count];
            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i].Value is not { } value)
                {
                    continue;
                }

                var (result, place) = EvaluateWithPlace(value);
                var aside = default(FlowLocation);
                if (place.IsValid)
                {
                    aside = new FlowLocation(value, string.Empty);
                    CopyOrForget(place, aside);
                }

                evaluated[i] = (result, aside);
            }

            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i].Target is { } target)
                {
                    StoreElement(deconstruction, target, steps[i].Value, evaluated[i]);
                }
            }
        }

        /// <summary>Pairs each target with the value at its position, through nested tuples and declarations (see <see cref="Deconstruct"/>).</summary>
        private static void Pair(IOperation target, IOperation? value, List<(IOperation? Target, IOperation? Value)> steps)
        {
            while (target is IDeclarationExpressionOperation declaration)
            {
                target = declaration.Expression;
            }

            while (value is IConversionOperation { IsImplicit: true } conversion)
            {
                value = conversion.Operand;
            }

            if (target is ITupleOperation targetTuple)
            {
                var valueTuple = value as ITupleOperation;
                if (valueTuple is null || valueTuple.Elements.Length != targetTuple.Elements.Length)
                {
                    // `var (a, b) = pair();`: the call runs; what it returns is not known.
                    if (value is not null)
                    {
                        steps.Add((null, value));
                    }

                    valueTuple = null;
                }

                for (var i = 0; i < targetTuple.Elements.Length; i++)
                {
                    Pair(targetTuple.Elements[i], valueTuple?.Elements[i], steps);
                }

                return;
            }

            if (target is IDiscardOperation)
            {
                // `var (a, _) = (x, f())`: the discarded value still runs.
                if (value is not null)
                {
                    steps.Add((null, value));
                }

                return;
            }

            steps.Add((target, value));
        }

        private void StoreElement(IDeconstructionAssignmentOperation deconstruction, IOperation target, IOperation? valueOperation, (BoolValue Value, FlowLocation Place) value)
        {
            var valueSyntax = valueOperation?.Syntax ?? deconstruction.Value.Syntax;
            if (_tracksFlags && FilterTarget(target) is { } filtered)
            {
                var (shared, @private) = valueOperation is null ? (BoolValue.Unknown, BoolValue.Unknown) : EvaluateFilter(valueOperation, evaluate: false);
                StoreFilter(filtered, shared, @private, deconstruction.Syntax, valueSyntax);
                return;
            }

            ForgetElementsIndexedBy(target);
            var (range, flag, rangeType, isFlag) = FlagTarget(target);
            if (isFlag)
            {
                StoreFlag(range, flag, rangeType, valueOperation is null ? BoolValue.Unknown : value.Value, deconstruction.Syntax, valueSyntax);
                return;
            }

            var place = WriteTargetOf(target);
            if (!place.IsValid)
            {
                return;
            }

            if (valueOperation is null)
            {
                ForgetState(place);
            }
            else
            {
                StoreValue(place, valueOperation, value);
            }
        }
    }
}
