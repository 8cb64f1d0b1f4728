using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Reads of a <c>bool?</c> as a bool: <c>priv ?? false</c> and <c>priv.GetValueOrDefault()</c> are
    /// the lifted test <c>priv == true</c>, and <c>priv ?? true</c> is <c>priv != false</c>. Each is
    /// then one value of the place, as the lifted test is (see <see cref="ComparisonOf"/>), so
    /// <c>only_private = priv ?? false, only_shared = !(priv ?? false)</c> cannot set both flags.
    /// The graph lowers a coalesce to a null test and two stores of one capture (the unwrapped value,
    /// the constant), which join into a value of neither; the read of that capture is the test.
    /// </summary>
    internal sealed partial class OperationTransfer
    {
        // The coalesces of a bool? with a constant in the graph being run, by the capture of their
        // result (see Coalesces). Found once per graph, and only for a graph that reads one; Prepare forgets them.
        private Dictionary<CaptureId, (IOperation Tested, bool WhenNull)>? _coalesces;

        /// <summary>The test a read of a bool? as a bool makes, or null: the reads the class comment names.</summary>
        private (ComparisonOrigin Test, bool Positive, IOperation Tested)? NullableBoolTest(IOperation operation, FlowState state)
        {
            switch (operation)
            {
                case IInvocationOperation invocation when ValueOrDefaultOf(invocation) is { } instance:
                    return Test(instance, true, ConstantTestKind.Equals, positive: true, state);

                case IFlowCaptureReferenceOperation { Type.SpecialType: SpecialType.System_Boolean, Syntax: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceExpression } coalesce } result
                    when Coalesces().TryGetValue(result.Id, out var coalesced) && coalesced.Tested.Syntax == coalesce.Left:
                    return coalesced.WhenNull
                        ? Test(coalesced.Tested, false, ConstantTestKind.Equals, positive: false, state)
                        : Test(coalesced.Tested, true, ConstantTestKind.Equals, positive: true, state);

                default:
                    return null;
            }
        }

        /// <summary>
        /// A path where a bool? that holds one value is null: both its lifted tests are false there
        /// (the null side of <c>priv ?? false</c>, <c>if (priv == null) return;</c>).
        /// </summary>
        private FlowState? WithNullableBoolNull(FlowState? state, IOperation operand)
        {
            if (state is null || !IsNullableBool(LockOperations.Unwrap(operand).Type)
                || Test(operand, true, ConstantTestKind.Equals, positive: true, state) is not { } isTrue || !HoldsOneValue(isTrue.Tested))
            {
                return state;
            }

            var isFalse = (new ComparisonOrigin(isTrue.Test.Place, false, ConstantTestKind.Equals), true, isTrue.Tested);
            return RefineComparison(state, isTrue, whenTrue: false) is { } notTrue ? RefineComparison(notTrue, isFalse, whenTrue: false) : null;
        }

        /// <summary>
        /// The graph's coalesces of a bool? with a bool constant: a result capture stored exactly
        /// twice, once with <c>GetValueOrDefault()</c> of a capture stored once (the tested value),
        /// once with the constant (its value when the tested one is null).
        /// </summary>
        private Dictionary<CaptureId, (IOperation Tested, bool WhenNull)> Coalesces()
        {
            if (_coalesces is not null)
            {
                return _coalesces;
            }

            var coalesces = _coalesces = new Dictionary<CaptureId, (IOperation Tested, bool WhenNull)>();
            if (_graph is null)
            {
                return coalesces;
            }

            var stores = new Dictionary<CaptureId, int>();
            var values = new Dictionary<CaptureId, IOperation>();
            var unwrapped = new Dictionary<CaptureId, CaptureId>();
            var constants = new Dictionary<CaptureId, bool>();
            foreach (var block in _graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (operation is not IFlowCaptureOperation capture)
                    {
                        continue;
                    }

                    stores[capture.Id] = stores.TryGetValue(capture.Id, out var count) ? count + 1 : 1;
                    values[capture.Id] = capture.Value;
                    if (capture.Value is IInvocationOperation invocation && ValueOrDefaultOf(invocation) is IFlowCaptureReferenceOperation tested)
                    {
                        unwrapped[capture.Id] = tested.Id;
                    }
                    else if (capture.Value.ConstantValue is { HasValue: true, Value: bool constant })
                    {
                        constants[capture.Id] = constant;
                    }
                }
            }

            foreach (var pair in unwrapped)
            {
                if (stores[pair.Key] == 2 && constants.TryGetValue(pair.Key, out var whenNull) && stores.TryGetValue(pair.Value, out var testedStores) && testedStores == 1)
                {
                    coalesces[pair.Key] = (values[pair.Value], whenNull);
                }
            }

            return coalesces;
        }

        /// <summary>The bool? whose <c>GetValueOrDefault()</c> the call is, or null.</summary>
        private static IOperation? ValueOrDefaultOf(IInvocationOperation invocation) =>
            invocation is { TargetMethod.Name: nameof(System.Nullable<bool>.GetValueOrDefault), Arguments.IsEmpty: true, Instance: { } instance } && IsNullableBool(instance.Type)
                ? instance
                : null;

        private static bool IsNullableBool(ITypeSymbol? type) =>
            type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments: { Length: 1 } arguments }
            && arguments[0].SpecialType == SpecialType.System_Boolean;
    }
}
