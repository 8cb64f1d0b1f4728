using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Tests of one place against a constant (<c>side == Side.Shared</c>, <c>side is not Side.Shared</c>,
    /// <c>(attributes &amp; KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0</c>, <c>attributes.HasFlag(Private)</c>): each
    /// is one value, whichever way round it is written and however often it is read, so a flag
    /// stored from it and a branch on it agree, and two flags stored from one such value are not
    /// independent (<c>only_private = (attrs &amp; PRIVATE) != 0, only_shared = (attrs &amp; PRIVATE) == 0</c>).
    /// </summary>
    internal sealed partial class OperationTransfer
    {
        /// <summary>The graph being analysed: where a tested variable's writes are looked up.</summary>
        private ControlFlowGraph? _graph;

        /// <summary>Tests that lead straight to taking or dropping mmu_lock (see <see cref="Prepare"/>): the lock rules narrow by these alone.</summary>
        private HashSet<ComparisonOrigin>? _lockGuardTests;

        /// <summary>
        /// The test a branch condition makes, when a branch on it narrows the state: in a flag
        /// rule's run, a test of a place that holds one value; in a lock rule's run, only such a
        /// test that guards a lock call, so that the lock taken under <c>if (mode == LockMode.Write)</c>
        /// is the one dropped under the same test, and no other comparison grows the state (or costs
        /// anything: the cheap check comes first).
        /// </summary>
        private (ComparisonOrigin Test, bool Positive, IOperation Tested)? NarrowingComparison(IOperation condition, FlowState state) =>
            (_tracksFlags || (_tracksLock && _lockGuardTests is not null))
            && ComparisonOf(condition, state) is { } tested
            && (_tracksFlags || _lockGuardTests!.Contains(tested.Test))
            && HoldsOneValue(tested.Tested)
                ? tested
                : null;

        /// <summary>A branch condition without its <c>!</c>s and conversions (the test it makes, either way up).</summary>
        private static IOperation WithoutNegation(IOperation condition)
        {
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } or IConversionOperation)
            {
                condition = condition is IUnaryOperation not ? not.Operand : ((IConversionOperation)condition).Operand;
            }

            return condition;
        }

        /// <summary>Whether this graph's run has made a value of a test yet: until then a declaration has none to forget.</summary>
        private bool _madeTests;

        /// <summary>
        /// The test <paramref name="operation"/> makes of one place against a constant, whether it
        /// holds when the test is true (<c>!=</c>, <c>is not</c>: it does not), and the reference it
        /// tests; null for anything else (a bool place, a filter: tested elsewhere).
        /// </summary>
        private (ComparisonOrigin Test, bool Positive, IOperation Tested)? ComparisonOf(IOperation operation, FlowState state)
        {
            switch (operation)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals, OperatorMethod: null } comparison:
                    {
                        var (operand, constant) = ConstantSide(comparison);
                        if (operand is null || constant is null)
                        {
                            return null;
                        }

                        var equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
                        if (LockOperations.Unwrap(operand) is IBinaryOperation { OperatorKind: BinaryOperatorKind.And, OperatorMethod: null } masked)
                        {
                            // A lifted one ((x & m) != 0 for an int?) is true for null too: not the bit's test.
                            if (comparison.IsLifted)
                            {
                                return null;
                            }

                            // (place & mask) != 0, or == mask for a one-bit mask: whether the bit is set.
                            return MaskOf(masked) is ({ } maskedPlace, var mask) && Normalized(constant) is long compared
                                ? compared == 0 ? Test(maskedPlace, mask, ConstantTestKind.AnyBit, positive: !equals, state)
                                    : compared == mask && IsOneBit(mask) ? Test(maskedPlace, mask, ConstantTestKind.AnyBit, positive: equals, state) : null
                                : null;
                        }

                        return Test(operand, Normalized(constant), ConstantTestKind.Equals, positive: equals, state);
                    }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual, OperatorMethod: null, IsLifted: false } relational:
                    return OrderTest(relational, state);

                case IIsPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: { } constant } } } pattern:
                    return Test(pattern.Value, Normalized(constant), ConstantTestKind.Equals, positive: true, state);

                case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: { } constant } } } } pattern:
                    return Test(pattern.Value, Normalized(constant), ConstantTestKind.Equals, positive: false, state);

                case IInvocationOperation { TargetMethod: { Name: nameof(System.Enum.HasFlag), ContainingType.SpecialType: SpecialType.System_Enum }, Instance: { } instance } hasFlag
                    when hasFlag.Arguments.Length == 1 && LockOperations.Unwrap(hasFlag.Arguments[0].Value).ConstantValue is { HasValue: true, Value: { } flag }
                        && Normalized(flag) is long bit && IsOneBit(bit):
                    return Test(instance, bit, ConstantTestKind.AnyBit, positive: true, state);

                default:
                    return NullableBoolTest(operation, state);
            }
        }

        /// <summary>
        /// An integer's order against a constant as the one test <c>place &lt; k</c> or its negation
        /// (<see cref="ConstantTestKind.LessThan"/>): <c>gfn &gt;= PRIVATE_BASE</c> and <c>gfn &lt; PRIVATE_BASE</c>
        /// are one value, either way round. A lifted one is false for null both ways: not the test.
        /// </summary>
        private (ComparisonOrigin Test, bool Positive, IOperation Tested)? OrderTest(IBinaryOperation relational, FlowState state)
        {
            var (operand, constant) = ConstantSide(relational);
            if (operand is null || constant is null || !IsIntegral(LockOperations.Unwrap(operand).Type) || ToLong(constant) is not { } bound)
            {
                return null;
            }

            // c < x is x > c: the operator seen from the other side.
            var kind = operand == relational.LeftOperand ? relational.OperatorKind : relational.OperatorKind switch
            {
                BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
                BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
                BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
                _ => BinaryOperatorKind.LessThanOrEqual,
            };

            // x < c, x >= c test x < c; x <= c, x > c test x < c + 1. A ulong past long.MaxValue
            // stays a ulong: as a long it would wrap, and the order with it.
            var inclusive = kind is BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan;
            var positive = kind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual;
            if (constant is ulong and > long.MaxValue and var large)
            {
                return inclusive && large == ulong.MaxValue ? null : Test(operand, inclusive ? large + 1 : large, ConstantTestKind.LessThan, positive, state);
            }

            return inclusive && bound == long.MaxValue ? null : Test(operand, inclusive ? bound + 1 : bound, ConstantTestKind.LessThan, positive, state);
        }

        private static bool IsIntegral(ITypeSymbol? type) =>
            (type?.TypeKind == TypeKind.Enum ? ((INamedTypeSymbol)type).EnumUnderlyingType : type)?.SpecialType
                is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Char;

        private (ComparisonOrigin Test, bool Positive, IOperation Tested)? Test(IOperation operand, object constant, ConstantTestKind kind, bool positive, FlowState state)
        {
            var tested = LockOperations.Unwrap(operand);
            if (tested is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var captured) && captured is not null)
            {
                tested = captured;
            }

            if (tested.Type?.SpecialType == SpecialType.System_Boolean || PlaceOf(tested, state) is not { IsValid: true } place)
            {
                return null;
            }

            return (new ComparisonOrigin(place, constant, kind), positive, tested);
        }

        /// <summary>The place and the constant mask of <c>place &amp; mask</c> (either way round), the mask not 0.</summary>
        private static (IOperation? Place, long Mask) MaskOf(IBinaryOperation masked)
        {
            var (place, mask) = ConstantSide(masked);
            return place is not null && mask is not null && ToLong(mask) is { } value && value != 0 ? (place, value) : (null, 0);
        }

        /// <summary>The operand and the constant of a binary operation with one constant operand (either way round), or nulls.</summary>
        private static (IOperation? Operand, object? Constant) ConstantSide(IBinaryOperation binary) =>
            ConstantOf(binary.RightOperand) is { } right ? (binary.LeftOperand, right)
            : ConstantOf(binary.LeftOperand) is { } left ? (binary.RightOperand, left)
            : (null, null);

        /// <summary>
        /// An operand's constant, also through the implicit conversion a lifted comparison makes of
        /// it (<c>priv == true</c> for a <c>bool?</c> compares with <c>(bool?)true</c>, which has no constant value).
        /// </summary>
        private static object? ConstantOf(IOperation operand) => operand switch
        {
            { ConstantValue: { HasValue: true, Value: { } value } } => value,
            IConversionOperation { IsImplicit: true, Conversion.IsNullable: true, Operand.ConstantValue: { HasValue: true, Value: { } lifted } } => lifted,
            _ => null,
        };

        /// <summary>An integer constant as a long, whatever its type (an enum member's is its underlying value), so tests of one place against one value compare equal.</summary>
        private static object Normalized(object constant) => ToLong(constant) is { } value ? value : constant;

        private static bool IsOneBit(long mask) => mask != 0 && (mask & (mask - 1)) == 0;

        /// <summary>
        /// A branch on a test of a place that holds one value all through the body: the test is
        /// that value on each side, so every flag stored from it (or from a test of the same place
        /// against another constant, which then fails) holds what it implies, and a second test of
        /// it is decided (<c>if (side != Side.Shared) return;</c> before or after
        /// <c>only_shared = side == Side.Shared</c>). A side that contradicts an earlier test cannot happen.
        /// </summary>
        private FlowState? RefineComparison(FlowState state, (ComparisonOrigin Test, bool Positive, IOperation Tested) comparison, bool whenTrue)
        {
            var test = comparison.Test;
            var value = whenTrue == comparison.Positive;
            _madeTests = true;
            var known = KnownOutcome(state, test);
            if (known is { } decided)
            {
                return decided == value ? state : null;
            }

            state = state.RestrictOrigin(test, value);
            if (value && test.Kind == ConstantTestKind.Equals)
            {
                state = state.RestrictExcludedBy(test);
            }

            return state.Set(test.Outcome, BoolValue.FromConstant(value));
        }

        /// <summary>
        /// <paramref name="state"/> (a filter's, or any, narrowing by the branch), narrowed further as
        /// a test of one place against a constant, when it is one (a filter held in a parameter is both).
        /// </summary>
        private FlowState? AsComparisonToo(FlowState? state, IOperation condition, bool whenTrue) =>
            state is not null && NarrowingComparison(condition, state) is { } tested
                ? RefineComparison(state, tested, whenTrue)
                : state;

        /// <summary>What this path found the test to be: tested before, or excluded by a test of the same place found true.</summary>
        private static bool? KnownOutcome(FlowState state, ComparisonOrigin test)
        {
            var outcome = state.Get(test.Outcome);
            if (outcome.IsDefinitelyTrue || outcome.IsDefinitelyFalse)
            {
                return outcome.IsDefinitelyTrue;
            }

            return test.Kind == ConstantTestKind.Equals && state.HasAny(location => location.Root is ComparisonOrigin other && other.Excludes(test) && state.Get(location).IsDefinitelyTrue)
                ? false
                : null;
        }

        /// <summary>
        /// The value of a test of a place against a constant: what this path found it to be (only a
        /// place that holds one value has an outcome kept), else one unknown named by the test.
        /// </summary>
        private BoolValue ComparisonValue((ComparisonOrigin Test, bool Positive, IOperation Tested) comparison)
        {
            _madeTests = true;
            var known = KnownOutcome(_state, comparison.Test);
            var value = known is { } decided ? BoolValue.FromConstant(decided) : BoolValue.UnknownFrom(comparison.Test);
            return comparison.Positive ? value : value.Negate();
        }

        /// <summary>
        /// A helper's test of its own parameter against a constant (see
        /// <see cref="MethodSummaries.ReturnedBoolOf"/>) at this call: decided for a constant
        /// argument, the same test of the argument's place for a place, unknown for anything else.
        /// </summary>
        private BoolValue BindTest(ComparisonOrigin test, CallArguments arguments)
        {
            if (test.Place.Root is not IParameterSymbol parameter
                || !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, arguments.Callee.OriginalDefinition)
                || arguments.IndexOf(parameter.Ordinal) is var index && index < 0)
            {
                return BoolValue.Unknown;
            }

            if (arguments.ValueAt(index).ConstantValue is { HasValue: true, Value: { } constant })
            {
                if (test.Kind == ConstantTestKind.LessThan && (constant is ulong and > long.MaxValue || test.Constant is not long))
                {
                    // Past long.MaxValue the order of longs is not the ulongs' (see OrderTest).
                    return BoolValue.Unknown;
                }

                var value = Normalized(constant);
                return BoolValue.FromConstant(test.Kind switch
                {
                    ConstantTestKind.AnyBit => value is long bits && test.Constant is long mask && (bits & mask) != 0,
                    ConstantTestKind.LessThan => value is long number && test.Constant is long bound && number < bound,
                    _ => Equals(value, test.Constant),
                });
            }

            if (!arguments.Places[index].IsValid)
            {
                return BoolValue.Unknown;
            }

            _madeTests = true;
            var tested = new ComparisonOrigin(arguments.Places[index], test.Constant, test.Kind);
            return KnownOutcome(_state, tested) is { } known ? BoolValue.FromConstant(known) : BoolValue.UnknownFrom(tested);
        }

        /// <summary>
        /// A local declared again (in a loop, each iteration declares a new one): what earlier tests
        /// of the old one found, and the flags stored from them, say nothing of the new one.
        /// </summary>
        private void ForgetTestsOf(ILocalSymbol local)
        {
            if (!_madeTests)
            {
                return;
            }

            // Each returns the state itself when it holds nothing of the local's.
            _state = _state.ForgetWhere(location => TestsOf(location.Root, local));
            _state = _state.ForgetOrigins(origin => TestsOf(origin, local));
        }

        private static bool TestsOf(object? origin, ILocalSymbol local) =>
            origin is ComparisonOrigin { Place.Root: ILocalSymbol tested } && SymbolEqualityComparer.Default.Equals(tested, local);

        /// <summary>
        /// Whether the reference holds one value all through the body: a local or by-value parameter
        /// of the body (or fields and auto-properties below one, or below <c>this</c>) that nothing
        /// in it writes, lambdas and local functions included. A call may still change a member of a
        /// class instance; that is taken, as the kernel's reads of <c>range-&gt;arg.attributes</c> are.
        /// </summary>
        private bool HoldsOneValue(IOperation reference)
        {
            if (_graph is null)
            {
                return false;
            }

            var body = _graph.OriginalOperation.Syntax;
            var written = VariableWrites.WrittenAnywhere(_graph);
            while (true)
            {
                switch (LockOperations.Unwrap(reference))
                {
                    case ILocalReferenceOperation { Local: { RefKind: RefKind.None } local }:
                        return !written.Contains(local) && DeclaredIn(local, body);
                    case IParameterReferenceOperation { Parameter: { RefKind: RefKind.None or RefKind.In } parameter }:
                        return !written.Contains(parameter) && DeclaredIn(parameter, body);
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        return true;
                    case IFieldReferenceOperation field when !written.Contains(field.Field):
                        if (field.Instance is null)
                        {
                            return field.Field.IsStatic;
                        }

                        reference = field.Instance;
                        continue;
                    case IPropertyReferenceOperation { Arguments.IsEmpty: true, Instance: { } instance } property
                        when !written.Contains(property.Property) && IsAutoProperty(property.Property):
                        reference = instance;
                        continue;
                    case IPropertyReferenceOperation { Property.Name: nameof(System.Array.Length), Instance: { Type: IArrayTypeSymbol or { SpecialType: SpecialType.System_String } } instance }:
                        // An array's or a string's length is the object's for good.
                        reference = instance;
                        continue;
                    default:
                        return false;
                }
            }
        }

        private static bool DeclaredIn(ISymbol symbol, SyntaxNode body)
        {
            foreach (var declaration in symbol.DeclaringSyntaxReferences)
            {
                if (declaration.SyntaxTree == body.SyntaxTree && body.Span.Contains(declaration.Span))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A property that only reads its backing field (a getter that computes may give a new value each read).</summary>
        private static bool IsAutoProperty(IPropertySymbol property)
        {
            foreach (var member in property.ContainingType.GetMembers())
            {
                if (member is IFieldSymbol { AssociatedSymbol: { } associated } && SymbolEqualityComparer.Default.Equals(associated, property))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
