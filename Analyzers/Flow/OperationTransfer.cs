using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// Transfer functions for boolean values, gfn range flags and mmu_lock: follows literals
    /// and constants through bool locals, flow captures, ref locals, struct copies, object
    /// creation (constructor arguments and initializers), <c>with</c> and member stores; takes
    /// and drops the lock at lock calls. A call to a helper of the same compilation applies
    /// that helper's summary; any other call that may change a range (by <c>ref</c>, <c>out</c>,
    /// on its receiver, or a reference-type range passed along) forgets what was known of it.
    /// Flags and the lock are followed only when the <see cref="FlowFacts"/> given ask for them.
    /// </summary>
    internal sealed partial class OperationTransfer : IFlowTransfer
    {
        /// <summary>The compiler-generated method a record's <c>with</c> calls.</summary>
        private const string RecordCloneMethod = "<Clone>$";

        private readonly SymbolRoles _roles;
        private readonly MethodSummaries _summaries;
        private readonly FlowObserver? _observer;
        private readonly Dictionary<ILocalSymbol, FlowLocation> _refLocals =
            new Dictionary<ILocalSymbol, FlowLocation>(SymbolEqualityComparer.Default);

        private readonly Stack<FlowLocation> _implicitReceivers = new Stack<FlowLocation>();

        // Which object's lock a lock local or capture holds (`lock (kvm.mmu_lock)` lowers to one),
        // and which object a variable was given (`var k = kvm;`), for the lock of each instance.
        private readonly Dictionary<FlowLocation, FlowLocation> _lockOwners = new Dictionary<FlowLocation, FlowLocation>();
        private readonly Dictionary<FlowLocation, FlowLocation> _aliases = new Dictionary<FlowLocation, FlowLocation>();

        // Which lock each guard took, by where it was made (the guard mark's true-site): its
        // Dispose drops that lock and no other.
        private readonly Dictionary<SyntaxNode, FlowLocation> _guardLocks = new Dictionary<SyntaxNode, FlowLocation>();

        // Captures of a variable reference (the CFG captures an assignment's target first): a
        // store through the capture goes to the variable. Null when branches capture different ones.
        private readonly Dictionary<CaptureId, IOperation?> _capturedReferences = new Dictionary<CaptureId, IOperation?>();
        private readonly bool _tracksFlags;
        private readonly bool _tracksLock;
        private readonly bool _tracksFlush;

        // The zaps whose results the graph being run throws away, by the block operation that calls
        // each (see NoteUnkeptZap); null when it throws none. Found once by Prepare.
        private Dictionary<IOperation, IInvocationOperation>? _unkeptZaps;

        // In a lock summary of a method that takes the lock it is given: the references that name
        // it (a parameter, a field keeping one), a lock of no known owner here (see
        // MethodSummaries.LockEffectOnParameter). Null in every other run.
        private readonly System.Func<IOperation, bool>? _lockGiven;

        // Made once: a method group handed to LockOperations.Classify is a new delegate on every call.
        private readonly System.Func<IOperation, bool> _isLockReference;

        // A working copy while a block is transferred (see FlowState's remarks); published
        // before it leaves this class.
        private FlowState _state = FlowState.Empty;
        private bool _observe;

        // The graph's locals a lambda or local function writes: forgotten at every call (see VariableWrites).
        private ImmutableArray<WrittenInFunction> _writtenInFunctions = ImmutableArray<WrittenInFunction>.Empty;

        internal OperationTransfer(SymbolRoles roles, MethodSummaries summaries, FlowObserver? observer, FlowFacts facts, System.Func<IOperation, bool>? lockGiven = null)
        {
            _lockGiven = lockGiven;
            _roles = roles;
            _summaries = summaries;
            _observer = observer;
            _tracksFlags = (facts & FlowFacts.Flags) != 0;
            _tracksLock = (facts & FlowFacts.Lock) != 0;
            _tracksFlush = (facts & FlowFacts.Flush) != 0;
            _isLockReference = IsLockReference;
        }

        public FlowState TransferBlock(BasicBlock block, FlowState input, bool observe, List<FlowState>? statesWithin) =>
            Transfer(block, input, observe, statesWithin).State;

        /// <summary>
        /// The state at the end of a block (not observed) and the place its branch value denotes:
        /// for a block that returns, the range it returns (see <see cref="MethodSummaries.ReturnedFlagsOf"/>).
        /// </summary>
        internal (FlowState State, FlowLocation Place) TransferToValue(BasicBlock block, FlowState input) =>
            Transfer(block, input, observe: false, statesWithin: null);

        /// <summary>
        /// The bits (shared, private) of the filter a returning block's branch value is, at the end
        /// of the block (not observed): for a helper that returns a filter (see <see cref="MethodSummaries.ReturnedFlagsOf"/>).
        /// </summary>
        internal (BoolValue Shared, BoolValue Private) TransferToFilter(BasicBlock block, FlowState input)
        {
            RunOperations(block, input, observe: false, statesWithin: null);
            var bits = block.BranchValue is null ? (BoolValue.Unknown, BoolValue.Unknown) : EvaluateFilter(block.BranchValue);
            _state = FlowState.Empty;
            return bits;
        }

        /// <summary>
        /// The bool a returning block's branch value is, at the end of the block (not observed):
        /// for a bool helper (see <see cref="MethodSummaries.ReturnedBoolOf"/>).
        /// </summary>
        internal BoolValue TransferToBool(BasicBlock block, FlowState input)
        {
            RunOperations(block, input, observe: false, statesWithin: null);
            var value = block.BranchValue is null ? BoolValue.Unknown : Evaluate(block.BranchValue);
            _state = FlowState.Empty;
            return value;
        }

        /// <summary>
        /// The states in which a returning block returns true and false (null for a side it cannot
        /// take), at the end of the block (not observed): for a bool helper that tests a range (see
        /// <see cref="MethodSummaries.TestOf"/>).
        /// </summary>
        internal (FlowState? WhenTrue, FlowState? WhenFalse) TransferToOutcomes(BasicBlock block, FlowState input)
        {
            RunOperations(block, input, observe: false, statesWithin: null);
            var value = block.BranchValue is null ? BoolValue.Unknown : Evaluate(block.BranchValue);
            var state = _state.Publish();
            _state = FlowState.Empty;
            if (value.IsDefinitelyTrue || value.IsDefinitelyFalse)
            {
                return value.IsDefinitelyTrue ? (state, null) : (null, state);
            }

            return block.BranchValue is null ? (state, state) : (Refine(state, block.BranchValue, true), Refine(state, block.BranchValue, false));
        }

        private (FlowState State, FlowLocation Place) Transfer(BasicBlock block, FlowState input, bool observe, List<FlowState>? statesWithin)
        {
            RunOperations(block, input, observe, statesWithin);
            var (value, place) = block.BranchValue is null ? default : EvaluateWithPlace(block.BranchValue);
            if (_tracksFlags && block.BranchValue is IInvocationOperation branchCall && !place.IsValid && (value.IsDefinitelyTrue || value.IsDefinitelyFalse))
            {
                // `if (hva_is_shared())`: a bool helper's known result, for Refine to take the side it picks.
                SetState(new FlowLocation(branchCall, string.Empty), value.WithoutSites());
            }

            var output = _state.Publish();
            _state = FlowState.Empty;
            return (output, place);
        }

        private static bool ContinuesItsPredecessor(BasicBlock block) =>
            block.Predecessors.Length == 1
            && block.Predecessors[0] is { Semantics: ControlFlowBranchSemantics.Regular, IsConditionalSuccessor: false, Source: var source }
            && source.ConditionKind == ControlFlowConditionKind.None
            && source.Kind == BasicBlockKind.Block;

        /// <summary>Runs a block's operations from <paramref name="input"/>, leaving the state before its branch value in <see cref="_state"/>.</summary>
        private void RunOperations(BasicBlock block, FlowState input, bool observe, List<FlowState>? statesWithin)
        {
            // An element at a variable index is followed within straight-line code only: no write
            // to the index between blocks (a loop's i++) is then missed. A block entered only by
            // falling through from one that goes nowhere else continues that code (the graph
            // splits `ranges[i] = new kvm_gfn_range { ... }; handler(ref ranges[i]);` where the
            // initializer's captures end).
            _state = ContinuesItsPredecessor(block) ? input : input.ForgetWhere(ArrayElements.AtVariableIndex);
            _observe = observe;
            foreach (var operation in block.Operations)
            {
                if (_unloweredLocks is null)
                {
                    Evaluate(operation);
                }
                else
                {
                    EvaluateInUnloweredLocks(operation);
                }

                if (_unkeptZaps is not null && _unkeptZaps.TryGetValue(operation, out var unkept))
                {
                    NoteUnkeptZap(unkept);
                }

                statesWithin?.Add(_state.Publish());
            }

            if (_unloweredLocks is not null && block.BranchValue is not null)
            {
                LeaveUnloweredLocks(block.BranchValue.Syntax);
            }
        }

        /// <summary>
        /// Marks the bools that guard a lock call (a branch on one leads straight to a block that
        /// takes or drops the lock), so that paths stay apart by their values: the kernel's
        /// lockless walk takes the lock `if (!range->lockless)` and drops it
        /// `if (r.found_memslot &amp;&amp; !range->lockless)`, which only a state that keeps both bools
        /// with the lock can tell is balanced.
        /// </summary>
        public FlowState Prepare(ControlFlowGraph graph, FlowState entry)
        {
            _writtenInFunctions = VariableWrites.WrittenInFunctions(graph);
            _graph = graph;
            _madeTests = false;
            _lockGuardTests = null;
            _unkeptZaps = _tracksFlush ? UnkeptZaps(graph) : null;
            _coalesces = null;
            _zeroedArrays = null;
            if (!_tracksLock)
            {
                return entry;
            }

            FindUnloweredLocks(graph);

            var capturesNoted = false;
            var state = entry;
            foreach (var block in graph.Blocks)
            {
                // The cheap test first: most blocks are entered by no branch on a bool, and their
                // operations are then not walked.
                FlowState? guarded = null;
                List<ComparisonOrigin>? guardTests = null;
                foreach (var predecessor in block.Predecessors)
                {
                    var source = predecessor.Source;
                    if (source.ConditionKind != ControlFlowConditionKind.None && source.BranchValue is { } condition)
                    {
                        if (GuardedPlace(condition, state) is { IsValid: true } guard)
                        {
                            guarded = (guarded ?? state).Set(guard.With(PlaceFact.LockGuard), BoolValue.True);
                        }
                        else if (ComparisonOf(WithoutNegation(condition), state) is { } test)
                        {
                            if (test.Tested is IFlowCaptureReferenceOperation && !capturesNoted)
                            {
                                // `switch (mode) { case LockMode.Write: ... }` tests a capture of `mode`:
                                // what the captures hold is needed before the blocks run.
                                NoteCapturedReferences(graph);
                                capturesNoted = true;
                                test = ComparisonOf(WithoutNegation(condition), state) ?? test;
                            }

                            // `if (mode == LockMode.Write) KVM_MMU_LOCK(kvm);`: the same test decides the unlock.
                            (guardTests ??= new List<ComparisonOrigin>()).Add(test.Test);
                        }
                    }
                }

                if ((guarded is not null || guardTests is not null) && CallsALockOperation(block))
                {
                    state = guarded ?? state;
                    if (guardTests is not null)
                    {
                        (_lockGuardTests ??= new HashSet<ComparisonOrigin>()).UnionWith(guardTests);
                    }
                }
            }

            return state;
        }

        private bool CallsALockOperation(BasicBlock block)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var part in operation.DescendantsAndSelf())
                {
                    if (part is IInvocationOperation invocation && (LockOperations.MayBeALockCall(invocation, _roles) || _summaries.LockEffectOf(invocation) != LockEffect.None))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private void NoteCapturedReferences(ControlFlowGraph graph)
        {
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (operation is IFlowCaptureOperation capture)
                    {
                        NoteCapturedReference(capture);
                    }
                }
            }
        }

        /// <summary>
        /// Remembers the reference a capture holds (`switch (range.attr_filter)` captures the member;
        /// `ranges[i] = new kvm_gfn_range { ... }` captures the element before the initializer runs):
        /// none once two captures of the id differ.
        /// </summary>
        private void NoteCapturedReference(IFlowCaptureOperation capture)
        {
            if (capture.Value is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IInstanceReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }
                || (ArrayElements.ElementOf(capture.Value).Collection is not null && _roles.IsGfnRangeType(capture.Value.Type)))
            {
                _capturedReferences[capture.Id] = _capturedReferences.TryGetValue(capture.Id, out var previous) && previous != capture.Value
                    ? null
                    : capture.Value;
            }
        }

        /// <summary>The bool place a branch condition tests (through `!` and conversions), or none.</summary>
        private FlowLocation GuardedPlace(IOperation condition, FlowState state)
        {
            var tested = WithoutNegation(condition);
            return tested is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }
                && tested.Type?.SpecialType == SpecialType.System_Boolean
                ? PlaceOf(tested, state)
                : default;
        }

        public FlowState? Refine(FlowState state, IOperation condition, bool whenTrue)
        {
            if (condition.ConstantValue is { HasValue: true, Value: bool constant })
            {
                return constant == whenTrue ? state : null;
            }

            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    return Refine(state, not.Operand, !whenTrue);
                case IConversionOperation { IsImplicit: true } conversion:
                    return Refine(state, conversion.Operand, whenTrue);
                case IIsNullOperation isNull:
                    return RefineNull(state, isNull.Operand, isNull: whenTrue);
                case IIsPatternOperation isPattern when _tracksFlags && FilterBits(isPattern.Value, state) is { IsValid: true } bits:
                    return AsComparisonToo(RefineFilterPattern(state, bits, isPattern.Pattern, whenTrue), condition, whenTrue);
                case IIsPatternOperation when NarrowingComparison(condition, state) is { } tested:
                    return RefineComparison(state, tested, whenTrue);
                case IIsPatternOperation isPattern when _tracksFlags || isPattern.Value.Type?.SpecialType == SpecialType.System_Boolean:
                    return RefinePattern(state, PlaceOf(isPattern.Value, state), isPattern.Pattern, whenTrue);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary
                    when binary.RightOperand.ConstantValue is { HasValue: true, Value: null }:
                    return RefineNull(state, binary.LeftOperand, isNull: whenTrue == (binary.OperatorKind == BinaryOperatorKind.Equals));
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals, OperatorMethod: null } comparison
                    when _tracksFlags && ComparedFilter(comparison, state) is { } compared:
                    return AsComparisonToo(
                        whenTrue == (comparison.OperatorKind == BinaryOperatorKind.Equals)
                            ? WithFilterEqualTo(state, compared.Bits, compared.Constant)
                            : WithFilterNotEqualTo(state, compared.Bits, compared.Constant),
                        condition,
                        whenTrue);
                case IBinaryOperation or IInvocationOperation when NarrowingComparison(condition, state) is { } tested:
                    return RefineComparison(state, tested, whenTrue);
            }

            // `if (!range.is_shared()) return;`, `if (range.IsSharedOnly)`: what the helper's result says of the range it tests.
            var test = condition switch
            {
                IInvocationOperation call => (call.TargetMethod, call.Instance, call.Arguments),
                IPropertyReferenceOperation { Property.GetMethod: { } getter, Instance: { } instance, Arguments.IsEmpty: true } => (getter, instance, ImmutableArray<IArgumentOperation>.Empty),
                _ => default((IMethodSymbol, IOperation?, ImmutableArray<IArgumentOperation>)?),
            };
            if (_tracksFlags && test is { } tester)
            {
                if (WithTestedRanges(state, tester.Item1, tester.Item2, tester.Item3, whenTrue) is not { } tested)
                {
                    return null;
                }

                state = tested;
            }

            var location = condition is IInvocationOperation tried ? new FlowLocation(tried, string.Empty) : PlaceOf(condition, state);
            if (!location.IsValid)
            {
                return state;
            }

            // A try-lock's outcome: the lock is held on its true side only.
            var tryLock = state.Get(location.With(PlaceFact.TryLockTaken));
            if (tryLock.IsDefinitelyTrue)
            {
                state = state.Set(LockLocation, whenTrue ? tryLock : BoolValue.False);
                // (A try-lock's outcome is kept at the lock of no known owner: see Invoke.)
            }

            if (condition is IInvocationOperation)
            {
                // A bool helper's known result (see Transfer) decides the branch; nothing else keeps it.
                var known = _tracksFlags ? state.Get(location) : BoolValue.Unknown;
                return known.IsDefinitelyTrue || known.IsDefinitelyFalse
                    ? (known.IsDefinitelyTrue == whenTrue ? state.Forget(location) : null)
                    : state;
            }

            var restricted = state.Get(location).Restrict(whenTrue);
            if (restricted.Possibilities == BoolPossibilities.None)
            {
                return null;
            }

            if (_tracksFlush && restricted.IsDefinitelyFalse && state.Get(location.With(PlaceFact.FlushOwed)).MayBeTrue)
            {
                // `if (flush) kvm_flush_remote_tlbs(kvm);`: where the zap said "no flush needed", none is owed.
                state = state.Set(location.With(PlaceFact.FlushOwed), BoolValue.False);
            }

            return WithSameOriginRestricted(state, location, whenTrue).Set(location, restricted);
        }

        /// <summary>
        /// A flag rule's test of a place (<c>if (priv) return;</c>, <c>r is { only_shared: true }</c>)
        /// says what every other place holding the same unknown holds on that side: a range built
        /// with <c>only_shared = !priv, only_private = priv</c> is shared-only past the return.
        /// </summary>
        private FlowState WithSameOriginRestricted(FlowState state, FlowLocation place, bool value)
        {
            if (!_tracksFlags)
            {
                return state;
            }

            var tested = ValueAt(state, place);

            // One value only: not joined from several stores, not a comparison (its place may be written between two).
            return tested.IsPureUnknown && tested.Origin is FlowLocation or SyntaxNode or IOperation
                ? state.RestrictOrigin(tested.Origin, value != tested.Negated)
                : state;
        }

        /// <summary>
        /// A pattern test narrows what it tests on each side: <c>flag is true</c> both ways, and
        /// <c>range is { only_shared: true, only_private: false }</c> sets each flag on its true
        /// side (on its false side only a single flag test says anything: the other flag then);
        /// <c>not</c> swaps the sides, <c>and</c> narrows by both parts where it holds, <c>or</c> where it fails.
        /// </summary>
        private FlowState? RefinePattern(FlowState state, FlowLocation place, IPatternOperation pattern, bool whenTrue)
        {
            if (!place.IsValid)
            {
                return state;
            }

            switch (pattern)
            {
                case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool constant } }:
                    {
                        var restricted = state.Get(place).Restrict(whenTrue ? constant : !constant);
                        return restricted.Possibilities == BoolPossibilities.None ? null : WithSameOriginRestricted(state, place, whenTrue ? constant : !constant).Set(place, restricted);
                    }

                case IRecursivePatternOperation recursive when _tracksFlags:
                    {
                        // On the false side a failed test of one flag says the flag differs, unless the
                        // pattern could also fail on the type, on null, or on another part.
                        if (!whenTrue && (recursive.PropertySubpatterns.Length != 1 || !recursive.DeconstructionSubpatterns.IsEmpty
                            || !recursive.InputType.IsValueType || !SymbolEqualityComparer.Default.Equals(recursive.InputType, recursive.MatchedType)))
                        {
                            return state;
                        }

                        foreach (var subpattern in recursive.PropertySubpatterns)
                        {
                            if (subpattern.Member is IMemberReferenceOperation { Member: var member } && _roles.TryGetFlag(member, out var flag))
                            {
                                if (RefinePattern(state, place.Flag(flag), subpattern.Pattern, whenTrue) is not { } narrowed)
                                {
                                    return null;
                                }

                                state = narrowed;
                            }
                        }

                        return state;
                    }

                case INegatedPatternOperation negated:
                    // `range is not { only_shared: true, only_private: false }`: the inner test, other side.
                    return RefinePattern(state, place, negated.Pattern, !whenTrue);

                case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both when whenTrue:
                    return RefinePattern(state, place, both.LeftPattern, true) is { } left ? RefinePattern(left, place, both.RightPattern, true) : null;

                case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } either when !whenTrue:
                    return RefinePattern(state, place, either.LeftPattern, false) is { } neither ? RefinePattern(neither, place, either.RightPattern, false) : null;

                default:
                    return state;
            }
        }

        /// <summary>
        /// The place whose two facts are the bits of the filter <paramref name="operand"/> reads: the
        /// range's, for its <c>attr_filter</c>; the filter local's or parameter's own; else none.
        /// </summary>
        private FlowLocation FilterBits(IOperation operand, FlowState state)
        {
            operand = LockOperations.Unwrap(operand);
            if (operand is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var captured) && captured is IMemberReferenceOperation)
            {
                // `switch (range.attr_filter)` tests a capture of the member: the range's bits.
                operand = captured;
            }

            if (operand is IMemberReferenceOperation { Instance: { } instance } member && _roles.IsFilterMember(member.Member))
            {
                return PlaceOf(instance, state);
            }

            if (operand.Type is not { } type || !SymbolRoles.IsFilterType(type) || PlaceOf(operand, state) is not { IsValid: true } place)
            {
                return default;
            }

            // An integer is a filter only where it holds one (`int f = KVM_FILTER_SHARED;`, a filter
            // parameter): most integers are none, and `i == 0` must not grow the state.
            return _roles.IsFilterEnum(type) || ValueAt(state, place.Flag(FlagKind.OnlyShared)) is { IsPureUnknown: false } or { Origin: not null }
                ? place
                : default;
        }

        /// <summary>A test <c>filter == constant</c> (either way round) of a filter the analysis follows, against a constant of the two bits alone.</summary>
        private (FlowLocation Bits, long Constant)? ComparedFilter(IBinaryOperation comparison, FlowState state)
        {
            var (operand, constant) = ConstantSide(comparison);
            return operand is not null && constant is not null && ToLong(constant) is { } bits && IsTwoBitFilter(bits)
                && FilterBits(operand, state) is { IsValid: true } place
                ? (place, bits)
                : null;
        }

        /// <summary><c>filter is KVM_FILTER_SHARED</c>, <c>is not</c> it: a constant pattern narrows the filter where it matches.</summary>
        private FlowState? RefineFilterPattern(FlowState state, FlowLocation bits, IPatternOperation pattern, bool whenTrue) =>
            pattern switch
            {
                IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: { } constant } } when ToLong(constant) is { } value && IsTwoBitFilter(value) =>
                    whenTrue ? WithFilterEqualTo(state, bits, value) : WithFilterNotEqualTo(state, bits, value),
                INegatedPatternOperation negated => RefineFilterPattern(state, bits, negated.Pattern, !whenTrue),
                _ => state,
            };

        /// <summary>A filter constant of KVM_FILTER_SHARED and KVM_FILTER_PRIVATE only: one with other bits is none of the filters the analysis follows.</summary>
        private static bool IsTwoBitFilter(long value) => (value & ~(RoleCatalog.FilterSharedBit | RoleCatalog.FilterPrivateBit)) == 0;

        /// <summary>
        /// Where a filter equals <paramref name="constant"/>, each of its bits is that constant's, and so
        /// is every other place holding the same unknown (<c>attr_filter = f</c>, then <c>if (f != KVM_FILTER_SHARED) return;</c>).
        /// </summary>
        private FlowState? WithFilterEqualTo(FlowState state, FlowLocation bits, long constant)
        {
            foreach (var (flag, bit) in new[] { (FlagKind.OnlyShared, RoleCatalog.FilterSharedBit), (FlagKind.OnlyPrivate, RoleCatalog.FilterPrivateBit) })
            {
                if (WithFlagFound(state, bits.Flag(flag), (constant & bit) != 0) is not { } narrowed)
                {
                    return null;
                }

                state = narrowed;
            }

            return state;
        }

        /// <summary>
        /// Where a filter differs from <paramref name="constant"/> and one of its bits is known to be
        /// that constant's, the other is not (<c>if (filter == 0) return;</c> on a filter known to
        /// have no private bit leaves the shared bit set); with neither bit known, nothing follows.
        /// </summary>
        private FlowState? WithFilterNotEqualTo(FlowState state, FlowLocation bits, long constant)
        {
            var shared = bits.Flag(FlagKind.OnlyShared);
            var @private = bits.Flag(FlagKind.OnlyPrivate);
            var sharedBit = (constant & RoleCatalog.FilterSharedBit) != 0;
            var privateBit = (constant & RoleCatalog.FilterPrivateBit) != 0;
            var sharedKnown = ValueAt(state, shared);
            var privateKnown = ValueAt(state, @private);
            var sharedMatches = sharedBit ? sharedKnown.IsDefinitelyTrue : sharedKnown.IsDefinitelyFalse;
            var privateMatches = privateBit ? privateKnown.IsDefinitelyTrue : privateKnown.IsDefinitelyFalse;
            if (sharedMatches && privateMatches)
            {
                return null;
            }

            var (place, value) = sharedMatches ? (@private, !privateBit) : privateMatches ? (shared, !sharedBit) : (default(FlowLocation), false);
            if (!place.IsValid)
            {
                return state;
            }

            var restricted = ValueAt(state, place).Restrict(value);
            return restricted.Possibilities == BoolPossibilities.None ? null : WithSameOriginRestricted(state, place, value).Set(place, restricted);
        }

        /// <summary>
        /// A bool helper's result, on the side taken, narrows the ranges it tests as its own test does
        /// (see <see cref="MethodSummaries.TestOf"/>): the receiver for a range's own method or
        /// property, the argument for a parameter; null when a flag cannot be what the side needs.
        /// </summary>
        private FlowState? WithTestedRanges(FlowState state, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, bool whenTrue)
        {
            foreach (var test in _summaries.TestOf(method))
            {
                IOperation? tested = test.Ordinal < 0 ? instance : null;
                foreach (var argument in arguments)
                {
                    if (test.Ordinal >= 0 && argument.Parameter?.Ordinal == test.Ordinal)
                    {
                        tested = argument.Value;
                    }
                }

                if (tested is null || PlaceOf(LockOperations.Unwrap(tested), state) is not { IsValid: true } range)
                {
                    continue;
                }

                var (onlyPrivate, onlyShared) = whenTrue ? test.WhenTrue : test.WhenFalse;
                foreach (var (flag, known) in new[] { (FlagKind.OnlyPrivate, onlyPrivate), (FlagKind.OnlyShared, onlyShared) })
                {
                    if (known is not { } value)
                    {
                        continue;
                    }

                    if (WithFlagFound(state, range.Flag(flag), value) is not { } narrowed)
                    {
                        return null;
                    }

                    state = narrowed;
                }
            }

            return state;
        }

        /// <summary>The state where a test found the flag at <paramref name="place"/> to be <paramref name="value"/> (and every place holding the same unknown); null where it cannot be.</summary>
        private FlowState? WithFlagFound(FlowState state, FlowLocation place, bool value)
        {
            var restricted = ValueAt(state, place).Restrict(value);
            return restricted.Possibilities == BoolPossibilities.None ? null : WithSameOriginRestricted(state, place, value).Set(place, restricted);
        }

        /// <summary>A lock guard (the value of <c>kvm.MmuLock.Write()</c> in a <c>using</c>) is never null.</summary>
        private FlowState? RefineNull(FlowState state, IOperation operand, bool isNull)
        {
            var place = PlaceOf(LockOperations.Unwrap(operand), state);
            if (place.IsValid && isNull && state.Get(place.With(PlaceFact.NonNull)).IsDefinitelyTrue)
            {
                return null;
            }

            return isNull && _tracksFlags ? WithNullableBoolNull(state, operand) : state;
        }

        /// <summary>
        /// The place an operation reads, without evaluating anything: used on branch conditions,
        /// which the block transfer has already evaluated.
        /// </summary>
        private FlowLocation PlaceOf(IOperation operation, FlowState state)
        {
            var saved = _state;
            var savedObserve = _observe;
            _state = state;
            _observe = false;
            try
            {
                return operation switch
                {
                    IFlowCaptureReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation
                        or IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true } or IArrayElementReferenceOperation => TargetOf(operation),
                    IPropertyReferenceOperation when ArrayElements.IsRefIndexer(operation) => TargetOf(operation),
                    _ => default,
                };
            }
            finally
            {
                _state = saved;
                _observe = savedObserve;
            }
        }

        private BoolValue Evaluate(IOperation operation) => EvaluateWithPlace(operation).Value;

        /// <summary>Evaluates an operation in order, changing the state; returns its value and the place it denotes, if any.</summary>
        private (BoolValue Value, FlowLocation Place) EvaluateWithPlace(IOperation operation)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation assignment:
                    {
                        // `using (g = new Guard(kvm))`, `a = b = r`: the value is what the local now holds.
                        // (`handler(kvm, r = new kvm_gfn_range { ... })`: the graph captures the
                        // target before the initializer runs, and stores through the capture.)
                        var value = Assign(assignment);
                        var target = assignment.Target is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var referenced)
                            ? referenced
                            : assignment.Target;
                        return (value, target is ILocalReferenceOperation local ? PlaceOf(local, _state) : default);
                    }

                case ICompoundAssignmentOperation compound:
                    return (CompoundAssign(compound), default);

                case IDeconstructionAssignmentOperation deconstruction:
                    Deconstruct(deconstruction);
                    return (BoolValue.Unknown, default);

                case IFlowCaptureOperation capture:
                    NoteCapturedReference(capture);
                    StoreValue(FlowLocation.ForCapture(capture.Id), capture.Value, EvaluateWithPlace(capture.Value));
                    return (BoolValue.Unknown, default);

                case IIncrementOrDecrementOperation increment:
                    {
                        ForgetElementsIndexedBy(increment.Target);
                        var place = EvaluateWithPlace(increment.Target).Place;
                        if (place.IsValid)
                        {
                            // `filter++`: what an integer held (its filter bits, say) is gone.
                            ForgetState(place);
                        }

                        return (BoolValue.Unknown, default);
                    }

                case IPropertyReferenceOperation { Arguments.IsEmpty: true, Property.GetMethod: { } getter } property
                    when _tracksFlags && _summaries.ReturnedFlagsOf(getter) is { } returned:
                    {
                        // `slot.WholeRange`: a getter of the compilation that builds the range it returns
                        // (not a place: an auto-property's getter has no body, so no summary).
                        var receiver = property.Instance is null ? default : EvaluateWithPlace(property.Instance).Place;
                        NoteCall(operation);
                        return (BoolValue.Unknown, ReturnedRange(operation, returned, EvaluateArguments(getter, ImmutableArray<IArgumentOperation>.Empty, receiver)));
                    }

                case IMemberReferenceOperation { Instance: null, Member: { IsStatic: true } member } when member is IFieldSymbol or IPropertySymbol
                    && _tracksFlags && _summaries.StaticRangeOf(member) is { } held:
                    // `SharedTemplate with { start = s }`: a static readonly range holds what its
                    // initializer gave it, wherever it is read.
                    NoteCall(operation);
                    return (BoolValue.Unknown, NewRange(operation, held.OnlyPrivate ?? BoolValue.Unknown, held.OnlyShared ?? BoolValue.Unknown));

                case IFlowCaptureReferenceOperation { Syntax.RawKind: (int)SyntaxKind.CoalesceExpression } when NullableBoolTest(operation, _state) is { } coalesced:
                    // `priv ?? false`, read from the capture the graph joined it into: the test it makes.
                    return (ComparisonValue(coalesced), default);

                case IFlowCaptureReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation or IDeclarationExpressionOperation
                    or IInstanceReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }
                    or IArrayElementReferenceOperation:
                case IPropertyReferenceOperation when ArrayElements.IsRefIndexer(operation):
                    {
                        var place = TargetOf(operation);
                        if (operation is IPropertyReferenceOperation)
                        {
                            NoteCall(operation);
                        }

                        if (operation.ConstantValue is { HasValue: true, Value: bool constantMember })
                        {
                            return (BoolValue.FromConstant(constantMember), place);
                        }

                        return (ReadPlace(place, operation.Type?.SpecialType == SpecialType.System_Boolean), place);
                    }

                case IVariableDeclaratorOperation declarator:
                    ForgetTestsOf(declarator.Symbol);
                    if (declarator.Initializer is { } initializer)
                    {
                        var value = EvaluateWithPlace(initializer.Value);
                        StoreValue(FlowLocation.ForSymbol(declarator.Symbol), initializer.Value, value);
                    }

                    return (BoolValue.Unknown, default);
            }

            if (operation.ConstantValue is { HasValue: true, Value: bool constant })
            {
                return (BoolValue.FromConstant(constant), default);
            }

            switch (operation)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    return (Evaluate(not.Operand).Negate(), default);

                case IConversionOperation conversion:
                    return EvaluateWithPlace(conversion.Operand);

                case IParenthesizedOperation parenthesized:
                    return EvaluateWithPlace(parenthesized.Operand);

                case IObjectCreationOperation creation:
                    {
                        var created = Create(creation);
                        ForgetWrittenInFunctions();
                        NoteCall(creation);
                        if (_tracksLock && TakeLockByConstructor(creation) is { IsValid: true } guard)
                        {
                            created = guard;
                        }

                        return (BoolValue.Unknown, created);
                    }

                case IBinaryOperation or IIsPatternOperation or IInvocationOperation when ComparisonOf(operation, _state) is { } comparison:
                    {
                        // place == constant: an unknown, but one that excludes the same place's test
                        // against another constant (a filter cannot be Shared and Private at once).
                        if (operation is IInvocationOperation hasFlag)
                        {
                            var called = Invoke(hasFlag, out _);
                            return (ComparisonValue(comparison), called);
                        }

                        foreach (var child in operation.ChildOperations)
                        {
                            Evaluate(child);
                        }

                        return (ComparisonValue(comparison), default);
                    }

                case IBinaryOperation { OperatorMethod: not null } or IUnaryOperation { OperatorMethod: not null } or IPropertyReferenceOperation:
                    foreach (var child in operation.ChildOperations)
                    {
                        Evaluate(child);
                    }

                    NoteCall(operation);
                    return (BoolValue.Unknown, default);

                case IDefaultValueOperation defaultValue when _roles.IsGfnRangeType(defaultValue.Type):
                    {
                        var place = new FlowLocation(defaultValue, string.Empty);
                        SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.False);
                        SetFlagState(place, FlagKind.OnlyShared, BoolValue.False);
                        return (BoolValue.Unknown, place);
                    }

                case IWithOperation with:
                    return (BoolValue.Unknown, With(with));

                case IInvocationOperation { TargetMethod.Name: RecordCloneMethod, Instance: { } original } clone:
                    {
                        // A record's `with` is lowered to a call of its clone method, then stores on the clone.
                        var source = EvaluateWithPlace(original).Place;
                        var place = new FlowLocation(clone, string.Empty);
                        CopyOrForget(source, place);
                        return (BoolValue.Unknown, place);
                    }

                case IInvocationOperation invocation:
                    {
                        var result = Invoke(invocation, out var returned);
                        return (returned, result);
                    }

                case IFlowAnonymousFunctionOperation or IAnonymousFunctionOperation or ILocalFunctionOperation:
                    // Runs when invoked, not here; its own graph is analyzed on its own.
                    if (_observe && _observer is { ObservesInvocations: true } && operation is IFlowAnonymousFunctionOperation lambda)
                    {
                        _observer.OnLambdaCreated(lambda.Symbol, _state);
                    }

                    return (BoolValue.Unknown, default);
            }

            foreach (var child in operation.ChildOperations)
            {
                Evaluate(child);
            }

            return (BoolValue.Unknown, default);
        }

        /// <summary>
        /// What a place holds. A bool the method has not set, read from its own parameter, a flag
        /// of one, or a member of <c>this</c>, is an unknown from that place: followed into the
        /// callers, and the same unknown at every read (so <c>x</c> and <c>!x</c> exclude each other).
        /// </summary>
        private BoolValue ReadPlace(FlowLocation place, bool isBool)
        {
            if (!place.IsValid)
            {
                return BoolValue.Unknown;
            }

            return isBool ? ValueAt(_state, place) : _state.Get(place);
        }

        /// <summary>What a bool place holds in <paramref name="state"/>, the caller's value being an unknown from its place.</summary>
        private static BoolValue ValueAt(FlowState state, FlowLocation place)
        {
            var value = state.Get(place);
            return value.IsPureUnknown && value.Origin is null && IsTheCallersValue(place) ? BoolValue.UnknownFrom(place) : value;
        }

        /// <summary>
        /// A place whose value the callers give: a parameter (the method's own, or a lambda's or
        /// local function's, which its invocations give) or <c>this</c>.
        /// </summary>
        private static bool IsTheCallersValue(FlowLocation place) =>
            !ArrayElements.IsElement(place) && (ReferenceEquals(place.Root, FlowLocation.ThisRoot) || place.Root is IParameterSymbol);

        /// <summary>Tells the observer of a call that is no invocation (a constructor, an accessor, an operator) that runs here.</summary>
        private void NoteCall(IOperation operation)
        {
            if (_observe && _observer is { ObservesInvocations: true } && MethodSummaries.CalledBy(operation) is { } method)
            {
                _observer.OnCall(operation, method, _state);
            }
        }

        /// <summary>Sets a place in the working copy (copying the published input on the first change).</summary>
        private void SetState(FlowLocation location, BoolValue value)
        {
            if (!_state.Holds(location, value))
            {
                _state = _state.Edit().Set(location, value);
            }
        }

        /// <summary>Sets a flag of a range, when this analysis follows flags.</summary>
        private void SetFlagState(FlowLocation range, FlagKind flag, BoolValue value)
        {
            if (_tracksFlags)
            {
                SetState(range.Flag(flag), value);
            }
        }

        /// <summary>After a call, which may run a lambda or local function of the method: what they write is unknown.</summary>
        private void ForgetWrittenInFunctions()
        {
            foreach (var written in _writtenInFunctions)
            {
                var place = PlaceOfLocal(written.Local);
                if (_state.Get(place.With(PlaceFact.IsLock)).IsDefinitelyTrue)
                {
                    continue;
                }

                // Only what is written goes: `range.slot = slot` in a lambda leaves the range's flags.
                foreach (var member in written.Members)
                {
                    if (_roles.TryGetFlag(member, out var flag))
                    {
                        place = place.Flag(flag);
                        break;
                    }

                    if (_roles.IsFilterMember(member))
                    {
                        ForgetState(place.Flag(FlagKind.OnlyShared));
                        place = place.Flag(FlagKind.OnlyPrivate);
                        break;
                    }

                    place = place.Member(member.Name);
                }

                if (written.HandedTo is { Parent: IInvocationOperation call, Parameter: { } parameter } && !place.IsFlag
                    && !SymbolRoles.IsFilterType(parameter.Type)
                    && _summaries.FlagEffectsOf(call.TargetMethod)?.ForParameter(parameter.Ordinal) is null or { IsNone: true })
                {
                    // `ref r` to a call that does not set its flags (one the compilation cannot see
                    // into, or a helper whose summary sets none): all but the flags may have changed.
                    ForgetKeepingMarks(place, keepFlags: true);
                    continue;
                }

                if (written.Constant is { } constant && (place.IsFlag || written.Local.Type.SpecialType == SpecialType.System_Boolean && written.Members.IsEmpty))
                {
                    // `() => r.only_private = false`: the call ran it or did not.
                    SetState(place, _state.Get(place).Join(BoolValue.FromConstant(constant)));
                }
                else
                {
                    // A flush a bool owed (a zap's result kept there) stays owed: a store does not flush.
                    var owed = _tracksFlush ? _state.Get(place.With(PlaceFact.FlushOwed)) : BoolValue.False;
                    ForgetState(place);
                    if (owed.MayBeTrue)
                    {
                        SetState(place.With(PlaceFact.FlushOwed), owed);
                    }
                }
            }
        }

        /// <summary>A write to a local or parameter: the array elements it indexes are other elements now.</summary>
        private void ForgetElementsIndexedBy(IOperation target)
        {
            // The common case first, with no closure: no element at a variable index is followed.
            if (!_state.HasAny(ArrayElements.AtVariableIndex))
            {
                return;
            }

            if (ArrayElements.IndexName(target) is { } name)
            {
                ForgetElementsIndexedBy(name);
            }
        }

        // Apart, so that its closure is made only when some element at a variable index is followed.
        private void ForgetElementsIndexedBy(string name)
        {
            if (_state.HasAny(place => ArrayElements.IsIndexedBy(place, name)))
            {
                _state = _state.Edit().ForgetWhere(place => ArrayElements.IsIndexedBy(place, name));
            }
        }

        private void ForgetState(FlowLocation location)
        {
            if (_state.HasAnyAtOrBelow(location))
            {
                _state = _state.Edit().Forget(location);
            }
        }

        /// <summary>A struct copy from <paramref name="source"/> when it is a followed place; otherwise the target is forgotten.</summary>
        private void CopyOrForget(FlowLocation source, FlowLocation target)
        {
            if (!source.IsValid)
            {
                ForgetState(target);
            }
            else if (!source.Equals(target) && (_state.HasAnyAtOrBelow(source) || _state.HasAnyAtOrBelow(target)))
            {
                _state = _state.Edit().Copy(source, target);
            }
        }

        /// <summary>The place a local denotes: its own, or for a ref local, the place it refers to.</summary>
        private FlowLocation PlaceOfLocal(ILocalSymbol local) =>
            _refLocals.TryGetValue(local, out var aliased) ? aliased : FlowLocation.ForSymbol(local);

        /// <summary>The place an assignment target or a reference denotes; evaluates its receiver.</summary>
        private FlowLocation TargetOf(IOperation target)
        {
            switch (target)
            {
                case IFlowCaptureReferenceOperation capture:
                    return FlowLocation.ForCapture(capture.Id);
                case ILocalReferenceOperation local:
                    return PlaceOfLocal(local.Local);
                case IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared }:
                    // `out var range`: the new local is the place the callee fills.
                    return FlowLocation.ForSymbol(declared.Local);
                case IParameterReferenceOperation parameter:
                    return FlowLocation.ForSymbol(parameter.Parameter);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return new FlowLocation(FlowLocation.ThisRoot, string.Empty);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }:
                    return _implicitReceivers.Count > 0 ? _implicitReceivers.Peek() : default;
                case IMemberReferenceOperation member when member is IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }:
                    {
                        FlowLocation instance;
                        if (member.Instance is null)
                        {
                            instance = member.Member.IsStatic ? FlowLocation.ForSymbol(member.Member) : default;
                            return instance;
                        }

                        instance = EvaluateWithPlace(member.Instance).Place;
                        if (!instance.IsValid)
                        {
                            return default;
                        }

                        return _roles.TryGetFlag(member.Member, out var flag)
                            ? instance.Flag(flag)
                            : instance.Member(member.Member.Name);
                    }

                case IArrayElementReferenceOperation or IPropertyReferenceOperation when ArrayElements.ElementOf(target) is ({ } collection, { } index):
                    {
                        // ranges[0], ranges[i], span[i] (SPEC section 2: array elements are followed).
                        var array = EvaluateWithPlace(collection).Place;
                        Evaluate(index);
                        if (!array.IsValid || ArrayElements.KeyOf(index) is not { } key)
                        {
                            return default;
                        }

                        // Another index of the same array may be this element: what is known of it goes.
                        var place = array.Member(key);
                        if (_state.HasAny(other => ArrayElements.MayAlias(other, array, key)))
                        {
                            _state = _state.Edit().ForgetWhere(other => ArrayElements.MayAlias(other, array, key));
                        }

                        SeedZeroedFlags(collection, place);
                        return place;
                    }

                default:
                    // Not a place the analysis follows (a deconstruction, a pattern input): its
                    // parts still run. Evaluate(target) here would come straight back (stack overflow).
                    foreach (var child in target.ChildOperations)
                    {
                        Evaluate(child);
                    }

                    return default;
            }
        }

        /// <summary>
        /// An element of a fresh array of ranges whose flag nothing in the method can set (see
        /// <see cref="ZeroedArrays"/>) holds false there, at whatever index.
        /// </summary>
        private void SeedZeroedFlags(IOperation collection, FlowLocation element)
        {
            if (!_tracksFlags || LockOperations.Unwrap(collection) is not ILocalReferenceOperation { Local: { } array }
                || ZeroedArrays.ElementType(array.Type) is not { IsValueType: true } elementType || !_roles.IsGfnRangeType(elementType) || _graph is null)
            {
                return;
            }

            _zeroedArrays ??= new Dictionary<ILocalSymbol, (bool OnlyPrivate, bool OnlyShared)>(SymbolEqualityComparer.Default);
            if (!_zeroedArrays.TryGetValue(array, out var neverSet))
            {
                // The whole method body: a lambda's graph sees only its own.
                _zeroedArrays[array] = neverSet = MethodGraphs.GraphRoot(_graph.OriginalOperation) is { } root
                    ? ZeroedArrays.FlagsNeverSet(root, array, _roles, _summaries)
                    : (false, false);
            }

            if (neverSet.OnlyPrivate)
            {
                SetState(element.Flag(FlagKind.OnlyPrivate), BoolValue.False);
            }

            if (neverSet.OnlyShared)
            {
                SetState(element.Flag(FlagKind.OnlyShared), BoolValue.False);
            }
        }

        // Per graph: which flags of each fresh range array's elements nothing in the method sets.
        private Dictionary<ILocalSymbol, (bool OnlyPrivate, bool OnlyShared)>? _zeroedArrays;

        /// <summary>The member reference a capture stands for, when a store goes through one (see <see cref="Assign"/>); null otherwise.</summary>
        private IMemberReferenceOperation? CapturedMember(IOperation target) =>
            target is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var referenced)
                ? referenced as IMemberReferenceOperation
                : null;

        /// <summary>The place a store writes: a capture of a variable reference writes that variable.</summary>
        private FlowLocation WriteTargetOf(IOperation target) =>
            target is IFlowCaptureReferenceOperation capture && _capturedReferences.TryGetValue(capture.Id, out var referenced) && referenced is not null
                ? TargetOf(referenced)
                : TargetOf(target);

        private BoolValue Assign(ISimpleAssignmentOperation assignment)
        {
            if (assignment.IsRef && assignment.Target is ILocalReferenceOperation refLocal)
            {
                // ref var r = ref x; : r names x's storage from here on.
                var referenced = EvaluateWithPlace(assignment.Value).Place;
                if (referenced.IsValid)
                {
                    _refLocals[refLocal.Local] = referenced;
                }
                else
                {
                    _refLocals.Remove(refLocal.Local);
                }

                return BoolValue.Unknown;
            }

            // `range.attr_filter = p ? SHARED : PRIVATE;`: the graph captures the member before the
            // branches and stores through the capture; the store is the member's.
            var captured = CapturedMember(assignment.Target);
            if (_tracksFlags && FilterTarget(captured ?? assignment.Target, evaluate: captured is null) is { } filtered)
            {
                // range.attr_filter = X: its two bits are the range's two facts (SPEC 3a).
                var (shared, @private) = EvaluateFilter(assignment.Value);
                StoreFilter(filtered, shared, @private, assignment.Syntax, assignment.Value.Syntax);
                return BoolValue.Unknown;
            }

            ForgetElementsIndexedBy(assignment.Target);
            var (range, flag, rangeType, isFlag) = FlagTarget(captured ?? assignment.Target, evaluate: captured is null);
            var target = isFlag ? range.Flag(flag) : WriteTargetOf(assignment.Target);
            var value = EvaluateWithPlace(assignment.Value);
            if (isFlag)
            {
                StoreFlag(range, flag, rangeType, value.Value, assignment.Syntax, assignment.Value.Syntax);
            }
            else if (target.IsValid)
            {
                StoreValue(target, assignment.Value, value);
            }

            if (assignment.Target is IPropertyReferenceOperation)
            {
                NoteCall(assignment.Target);
            }

            return value.Value;
        }

        private BoolValue CompoundAssign(ICompoundAssignmentOperation compound)
        {
            ForgetElementsIndexedBy(compound.Target);
            if (_tracksFlags && FilterTarget(compound.Target) is { } filtered)
            {
                // range.attr_filter |= X, &= X: bit by bit.
                var (shared, @private) = EvaluateFilter(compound.Value);
                var beforeShared = ReadPlace(filtered.Range.Flag(FlagKind.OnlyShared), isBool: true);
                var beforePrivate = ReadPlace(filtered.Range.Flag(FlagKind.OnlyPrivate), isBool: true);
                var (s, p) = compound.OperatorKind switch
                {
                    BinaryOperatorKind.Or => (Or(beforeShared, shared), Or(beforePrivate, @private)),
                    BinaryOperatorKind.And => (And(beforeShared, shared), And(beforePrivate, @private)),
                    _ => (BoolValue.Unknown, BoolValue.Unknown),
                };
                StoreFilter(filtered, s, p, compound.Syntax, compound.Syntax);
                return BoolValue.Unknown;
            }

            var (range, flag, rangeType, isFlag) = FlagTarget(compound.Target);
            var target = isFlag ? range.Flag(flag) : TargetOf(compound.Target);
            var before = target.IsValid ? _state.Get(target) : BoolValue.Unknown;
            var operand = Evaluate(compound.Value);
            // `flag &= x` where the flag is false stays false; `flag |= x` where it is true stays true.
            var result = compound.OperatorKind switch
            {
                BinaryOperatorKind.Or => Or(before, operand),
                BinaryOperatorKind.And => And(before, operand),
                _ => BoolValue.Unknown.Join(before.MayBeTrue || operand.MayBeTrue ? BoolValue.True : BoolValue.Unknown),
            };

            if (isFlag)
            {
                StoreFlag(range, flag, rangeType, result, compound.Syntax, compound.Syntax);
            }
            else if (target.IsValid)
            {
                SetState(target, result);
                NoteZapResult(target, compound.Value);
            }

            return result;
        }

        /// <summary>When <paramref name="target"/> is a followed range's attr_filter: that range and its type.</summary>
        private (FlowLocation Range, ITypeSymbol? RangeType)? FilterTarget(IOperation target, bool evaluate = true)
        {
            if (target is IMemberReferenceOperation { Instance: { } instance } member
                && member is IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }
                && _roles.IsFilterMember(member.Member)
                && (evaluate ? EvaluateWithPlace(instance).Place : PlaceOf(instance, _state)) is { IsValid: true } range)
            {
                return (range, member.Member.ContainingType);
            }

            return null;
        }

        /// <summary>
        /// An attr_filter value as its two bits (shared, private): the constants by name
        /// (KVM_FILTER_SHARED / Shared, KVM_FILTER_PRIVATE / Private, in an enum or as integer
        /// constants), 0, <c>|</c>, <c>&amp;</c>, <c>~</c>, a range's filter, a place that holds
        /// one; anything else is unknown.
        /// </summary>
        /// <remarks>With <paramref name="evaluate"/> false the value was evaluated already: nothing is run again.</remarks>
        private (BoolValue Shared, BoolValue Private) EvaluateFilter(IOperation value, bool evaluate = true)
        {
            switch (value)
            {
                case IConversionOperation conversion:
                    return EvaluateFilter(conversion.Operand, evaluate);
                case IParenthesizedOperation parenthesized:
                    return EvaluateFilter(parenthesized.Operand, evaluate);
                case IFieldReferenceOperation { Field: { } field } when RoleCatalog.FilterSharedNames.Contains(field.Name):
                    return (BoolValue.True, BoolValue.False);
                case IFieldReferenceOperation { Field: { } field } when RoleCatalog.FilterPrivateNames.Contains(field.Name):
                    return (BoolValue.False, BoolValue.True);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Or or BinaryOperatorKind.And } binary when binary.OperatorMethod is null:
                    {
                        var left = EvaluateFilter(binary.LeftOperand, evaluate);
                        var right = EvaluateFilter(binary.RightOperand, evaluate);
                        return binary.OperatorKind == BinaryOperatorKind.Or
                            ? (Or(left.Shared, right.Shared), Or(left.Private, right.Private))
                            : (And(left.Shared, right.Shared), And(left.Private, right.Private));
                    }

                case IUnaryOperation { OperatorKind: UnaryOperatorKind.BitwiseNegation, OperatorMethod: null } not:
                    {
                        var (shared, @private) = EvaluateFilter(not.Operand, evaluate);
                        return (shared.Negate(), @private.Negate());
                    }

                case IMemberReferenceOperation { Instance: { } instance } member when _roles.IsFilterMember(member.Member):
                    {
                        var range = evaluate ? EvaluateWithPlace(instance).Place : PlaceOf(instance, _state);
                        return (ReadPlace(range.Flag(FlagKind.OnlyShared), isBool: true), ReadPlace(range.Flag(FlagKind.OnlyPrivate), isBool: true));
                    }
            }

            if (value.ConstantValue is { HasValue: true, Value: { } constant } && ToLong(constant) is { } bits)
            {
                return (BoolValue.FromConstant((bits & RoleCatalog.FilterSharedBit) != 0), BoolValue.FromConstant((bits & RoleCatalog.FilterPrivateBit) != 0));
            }

            if (value is IInvocationOperation call && _roles.Plays(RoleCatalog.GmemInvalidateFilterMethods, call.TargetMethod))
            {
                // kvm_gmem_get_invalidate_filter: the file says which side (SPEC 2, KVM0005).
                if (evaluate)
                {
                    Evaluate(value);
                }

                return (BoolValue.UnknownFrom(BoolValue.FileFilterOrigin), BoolValue.UnknownFrom(BoolValue.FileFilterOrigin));
            }

            if (value is IInvocationOperation helper && _tracksFlags && _summaries.ReturnedFlagsOf(helper.TargetMethod) is not null)
            {
                // A helper of the compilation that returns a filter (`filter_for(kvm, false)`): the
                // call's place holds its returned bits, bound to this call's arguments (see Invoke).
                var returned = evaluate ? EvaluateWithPlace(value).Place : new FlowLocation(helper, string.Empty);
                return (ReadPlace(returned.Flag(FlagKind.OnlyShared), isBool: true), ReadPlace(returned.Flag(FlagKind.OnlyPrivate), isBool: true));
            }

            if (value is not (IFlowCaptureReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }))
            {
                // A call or anything else: run it (once), its filter is unknown.
                if (evaluate)
                {
                    Evaluate(value);
                }

                return (BoolValue.Unknown, BoolValue.Unknown);
            }

            var place = evaluate ? EvaluateWithPlace(value).Place : PlaceOf(value, _state);
            return place.IsValid
                ? (ReadPlace(place.Flag(FlagKind.OnlyShared), isBool: true), ReadPlace(place.Flag(FlagKind.OnlyPrivate), isBool: true))
                : (BoolValue.Unknown, BoolValue.Unknown);
        }

        internal static long? ToLong(object constant) => constant switch
        {
            int i => i,
            uint u => u,
            long l => l,
            ulong ul => (long)ul,
            char c => c,
            byte b => b,
            short sh => sh,
            ushort us => us,
            sbyte sb => sb,
            _ => null,
        };

        private static BoolValue Or(BoolValue a, BoolValue b) =>
            a.IsDefinitelyTrue || b.IsDefinitelyTrue ? BoolValue.True : a.IsDefinitelyFalse ? b : b.IsDefinitelyFalse ? a : BoolValue.Unknown.Join(a.MayBeTrue || b.MayBeTrue ? BoolValue.True : BoolValue.Unknown);

        private static BoolValue And(BoolValue a, BoolValue b) =>
            a.IsDefinitelyFalse || b.IsDefinitelyFalse ? BoolValue.False : a.IsDefinitelyTrue ? b : b.IsDefinitelyTrue ? a : BoolValue.Unknown.Join(a.MayBeTrue && b.MayBeTrue ? BoolValue.True : BoolValue.Unknown);

        /// <summary>When <paramref name="target"/> is a gfn range flag of a followed range: that range, the flag and the range's type.</summary>
        private (FlowLocation Range, FlagKind Flag, ITypeSymbol? RangeType, bool IsFlag) FlagTarget(IOperation target, bool evaluate = true)
        {
            if (target is IMemberReferenceOperation { Instance: { } instance } member
                && member is IFieldReferenceOperation or IPropertyReferenceOperation { Arguments.IsEmpty: true }
                && _roles.TryGetFlag(member.Member, out var flag))
            {
                var range = evaluate ? EvaluateWithPlace(instance).Place : PlaceOf(instance, _state);
                if (range.IsValid)
                {
                    return (range, flag, member.Member.ContainingType, true);
                }
            }

            return (default, default, null, false);
        }

        /// <summary>A store into a range's attr_filter: its two bits are the range's two facts (SPEC 3a), stored private first, then shared.</summary>
        private void StoreFilter((FlowLocation Range, ITypeSymbol? RangeType) filtered, BoolValue shared, BoolValue @private, SyntaxNode reportNode, SyntaxNode valueNode)
        {
            StoreFlag(filtered.Range, FlagKind.OnlyPrivate, filtered.RangeType, @private, reportNode, valueNode);
            StoreFlag(filtered.Range, FlagKind.OnlyShared, filtered.RangeType, shared, reportNode, valueNode);
        }

        private void StoreFlag(FlowLocation range, FlagKind flag, ITypeSymbol? rangeType, BoolValue value, SyntaxNode reportNode, SyntaxNode valueNode)
        {
            if (!_tracksFlags)
            {
                return;
            }

            // An unknown stored here is one value from here on: two flags stored from it are equal.
            var stored = value.OrFrom(valueNode).StoredAt(valueNode);
            if (_observe && _observer is not null)
            {
                var other = _state.Get(range.Flag(flag.Other()));
                _observer.OnFlagAssigned(new FlagAssignment(range, flag, rangeType, stored, other, reportNode, valueNode, _roles.HasFilterForm(rangeType)));
            }

            SetState(range.Flag(flag), stored);
        }

        /// <summary>Stores an evaluated value into a place: a bool is set, a range (or other struct) is copied.</summary>
        private void StoreValue(FlowLocation target, IOperation valueOperation, (BoolValue Value, FlowLocation Place) value)
        {
            if (_tracksLock && IsLockReference(valueOperation))
            {
                // A local or capture holding kvm->mmu_lock (as `lock (kvm.mmu_lock)` lowers to) is the lock.
                var owner = OwnerOfLock(valueOperation);
                ForgetState(target);
                SetState(target.With(PlaceFact.IsLock), BoolValue.True);
                if (owner.IsValid)
                {
                    _lockOwners[target] = owner;
                }

                return;
            }

            if (_tracksLock && target.IsValid && target.Path.Length == 0 && valueOperation.Type is { IsReferenceType: true })
            {
                // The variable now names another object: a lock held through it stays held (by no
                // name the method has), and if it was given another variable's object it stands for it.
                var held = _state.Get(target.With(PlaceFact.LockHeld));
                if (held.MayBeTrue)
                {
                    SetState(LockLocation, _state.Get(LockLocation).Join(held));
                }

                if (value.Place.IsValid && !value.Place.Equals(target))
                {
                    _aliases[target] = Canonical(value.Place);
                }
                else
                {
                    _aliases.Remove(target);
                }
            }

            if (valueOperation.Type?.SpecialType == SpecialType.System_Boolean)
            {
                SetState(target, value.Value.OrFrom(valueOperation.Syntax));
                NoteZapResult(target, valueOperation);
                if (_tracksLock)
                {
                    // `bool taken = spin_trylock(...)`: the local carries the outcome (or forgets an old one).
                    SetState(target.With(PlaceFact.TryLockTaken), value.Place.IsValid ? _state.Get(value.Place.With(PlaceFact.TryLockTaken)) : BoolValue.Unknown);
                }

                return;
            }

            var isFilterEnum = _tracksFlags && _roles.IsFilterEnum(valueOperation.Type);
            if (_tracksFlags && target.IsValid && (isFilterEnum || SymbolRoles.IsIntegerFilterType(valueOperation.Type)))
            {
                // A kvm_gfn_range_filter in a local (or a capture, as ?: lowers to) carries its bits,
                // and so does an integer filter (`int f = p ? KVM_FILTER_SHARED : ...`). An unknown
                // enum filter is an unknown of its own; an unknown integer holds nothing (most
                // integers are no filter), and its store forgets what an earlier one held.
                var (shared, @private) = EvaluateFilter(valueOperation, evaluate: false);
                ForgetState(target);
                SetState(target.Flag(FlagKind.OnlyShared), isFilterEnum ? shared.OrFrom(valueOperation.Syntax) : shared);
                SetState(target.Flag(FlagKind.OnlyPrivate), isFilterEnum ? @private.OrFrom(valueOperation) : @private);
                return;
            }

            if (_observe && _observer is not null && target.IsValid)
            {
                _observer.OnValueStored(target);
            }

            if (_tracksFlags && value.Place.IsValid && IsTheCallersValue(value.Place) && _roles.IsGfnRangeType(valueOperation.Type))
            {
                // A copy of a range the callers give carries their flags: what it holds is the
                // callers' unknown, not a new one.
                foreach (var flag in new[] { FlagKind.OnlyPrivate, FlagKind.OnlyShared })
                {
                    SetState(value.Place.Flag(flag), ReadPlace(value.Place.Flag(flag), isBool: true));
                }
            }

            CopyOrForget(value.Place, target);
        }

        /// <summary>
        /// A bool place given a zap's "flush needed" (<c>flush = zap(...)</c>, <c>flush |= zap(...)</c>,
        /// <c>flush = zap(...) || flush</c>) owes a TLB flush from here until one runs (KVM0006).
        /// A store of anything else leaves what it owed: the old result is not flushed by being overwritten.
        /// </summary>
        private void NoteZapResult(FlowLocation target, IOperation value)
        {
            if (_tracksFlush && target.IsValid && _summaries.ZapResultIn(value, _capturedReferences) is { } zap)
            {
                SetState(target.With(PlaceFact.FlushOwed), BoolValue.True.StoredAt(zap.Syntax));
            }
        }

        /// <summary>
        /// A zap whose "flush needed" nothing keeps (<c>kvm_unmap_gfn_range(kvm, ref range);</c>,
        /// <c>_ = zap(...)</c>) owes a flush from here as a kept one does, at the call's own place
        /// (KVM0006). No test can say it asked for none, so only a flush settles it; and since any
        /// flush may be the one meant for it, the rule reports it only where no path flushed since.
        /// </summary>
        private void NoteUnkeptZap(IInvocationOperation call)
        {
            var place = new FlowLocation(call, string.Empty);
            SetState(place.With(PlaceFact.FlushOwed), BoolValue.True.StoredAt(call.Syntax));
            SetState(place.With(PlaceFact.FlushMayHaveRun), BoolValue.False);
        }

        /// <summary>The zap a block's operation calls and throws the result of, if it is one (a zap that flushes first owes nothing).</summary>
        private IInvocationOperation? UnkeptZap(IOperation statement)
        {
            var call = (statement is IExpressionStatementOperation expression ? expression.Operation : statement) switch
            {
                IInvocationOperation invocation => invocation,
                ISimpleAssignmentOperation { Target: IDiscardOperation, Value: var value } => LockOperations.Unwrap(value) as IInvocationOperation,
                _ => null,
            };
            return call is not null && _summaries.IsZap(call) && !_summaries.FlushesTlbs(call) ? call : null;
        }

        /// <summary>The graph's block operations that throw a zap's result away, with the zap; null for none (most bodies keep theirs, and then pay nothing for the case).</summary>
        private Dictionary<IOperation, IInvocationOperation>? UnkeptZaps(ControlFlowGraph graph)
        {
            Dictionary<IOperation, IInvocationOperation>? result = null;
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (UnkeptZap(operation) is { } zap)
                    {
                        (result ??= new Dictionary<IOperation, IInvocationOperation>())[operation] = zap;
                    }
                }
            }

            return result;
        }

        private FlowLocation Create(IObjectCreationOperation creation)
        {
            var isRange = _roles.IsGfnRangeType(creation.Type);
            var place = new FlowLocation(creation, string.Empty);
            var arguments = creation.Constructor is { } constructor ? EvaluateArguments(constructor, creation.Arguments, default) : default;
            var values = arguments.Values;
            var places = arguments.Places;
            if (isRange && creation.Constructor is not null)
            {
                ApplyConstructor(creation, place, arguments);
            }
            else if (isRange)
            {
                SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.False);
                SetFlagState(place, FlagKind.OnlyShared, BoolValue.False);
            }
            else if (creation.Type is { IsValueType: true } structType && creation.Constructor is null or { IsImplicitlyDeclared: true })
            {
                // `var r = new kvm_mmu_notifier_return();`: a struct starts zeroed, so its bools
                // (r.found_memslot, set with the lock) start false, and so do its ranges' flags.
                ZeroBools(place, structType);
                ZeroRangeFields(place, structType);
                if (creation.Initializer is { } structInitializer)
                {
                    ApplyInitializer(place, structInitializer);
                }

                return place;
            }

            // `new Holder()` of a class made by its implicit constructor: its fields start zeroed, so
            // a range field it does not initialise holds both flags false (filter 0).
            var zeroed = !isRange && creation.Type is INamedTypeSymbol { TypeKind: TypeKind.Class } classType
                && creation.Constructor is { IsImplicitlyDeclared: true } && ZeroRangeFields(place, classType);
            for (var i = 0; i < creation.Arguments.Length; i++)
            {
                var argument = creation.Arguments[i];
                if (isRange && argument.Parameter is { } parameter && IsPrimaryFlagParameter(creation.Constructor, parameter, out var flag))
                {
                    StoreFlag(place, flag, creation.Type, values[i], argument.Syntax, argument.Value.Syntax);
                }
                else
                {
                    ForgetPassedRange(argument, places[i]);
                }
            }

            if (creation.Initializer is { } initializer)
            {
                ApplyInitializer(place, initializer);
            }

            return isRange || zeroed ? place : default;
        }

        /// <summary>
        /// The range fields (and auto-properties) of a zeroed object at <paramref name="place"/>
        /// that no initializer gives a value: both flags false. Whether there was one.
        /// </summary>
        private bool ZeroRangeFields(FlowLocation place, ITypeSymbol type)
        {
            if (!_tracksFlags)
            {
                return false;
            }

            var any = false;
            foreach (var (name, fieldType, declared) in StoredMembers(type))
            {
                if (!fieldType.IsValueType || !_roles.IsGfnRangeType(fieldType) || HasInitializer(declared))
                {
                    continue;
                }

                SetFlagState(place.Member(name), FlagKind.OnlyPrivate, BoolValue.False);
                SetFlagState(place.Member(name), FlagKind.OnlyShared, BoolValue.False);
                any = true;
            }

            return any;
        }

        private static bool HasInitializer(ISymbol member)
        {
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer: not null } or PropertyDeclarationSyntax { Initializer: not null })
                {
                    return true;
                }
            }

            // A field of metadata: its initializer cannot be seen.
            return member.DeclaringSyntaxReferences.IsEmpty;
        }

        /// <summary>The bool fields and auto-properties of a zeroed struct at <paramref name="place"/> are false.</summary>
        private void ZeroBools(FlowLocation place, ITypeSymbol structType)
        {
            foreach (var (name, type, _) in StoredMembers(structType))
            {
                if (type.SpecialType == SpecialType.System_Boolean)
                {
                    SetState(place.Member(name), BoolValue.False);
                }
            }
        }

        /// <summary>
        /// The instance members a type stores, by the name code uses: its fields, and its
        /// auto-properties through their backing fields (a computed property stores nothing),
        /// each with its type and the symbol that declares it.
        /// </summary>
        private static IEnumerable<(string Name, ITypeSymbol Type, ISymbol Declared)> StoredMembers(ITypeSymbol type)
        {
            foreach (var member in type.GetMembers())
            {
                switch (member)
                {
                    case IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field:
                        yield return (field.Name, field.Type, field);
                        break;
                    case IFieldSymbol { IsStatic: false, AssociatedSymbol: IPropertySymbol property } field:
                        yield return (property.Name, field.Type, property);
                        break;
                }
            }
        }

        /// <summary>
        /// The flags a constructor leaves, before a record's flag arguments and the initializer:
        /// false for an implicit or record primary constructor and for the runtime's own type;
        /// for one of this compilation, what its body leaves in <c>this</c> (a flag it does not
        /// touch stays false, as fields start zeroed), with the creation's arguments, stored as
        /// at the creation so that KVM0001 sees it make both true; unknown otherwise.
        /// </summary>
        private void ApplyConstructor(IObjectCreationOperation creation, FlowLocation place, CallArguments arguments)
        {
            var constructor = creation.Constructor;
            if (!_tracksFlags)
            {
                return;
            }

            if (constructor is null || SymbolEqualityComparer.Default.Equals(constructor.ContainingType, _roles.RuntimeGfnRange))
            {
                SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.False);
                SetFlagState(place, FlagKind.OnlyShared, BoolValue.False);
                return;
            }

            if (constructor.IsImplicitlyDeclared || IsPrimaryConstructor(constructor))
            {
                SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.False);
                SetFlagState(place, FlagKind.OnlyShared, BoolValue.False);
                ApplyInitializedFlags(creation, place, arguments);
                return;
            }

            if (_summaries.FlagEffectsOf(constructor)?.ForThis is { } effect)
            {
                SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.False);
                SetFlagState(place, FlagKind.OnlyShared, BoolValue.False);
                ApplyInitializedFlags(creation, place, arguments);
                // A flag the constructor copies from its own flag parameter is stored at that
                // argument instead (where a fix can rewrite it): leave it out here.
                var rest = new FlagEffect(
                    CopiesFlagParameter(effect.OnlyPrivate, FlagKind.OnlyPrivate) ? null : effect.OnlyPrivate,
                    CopiesFlagParameter(effect.OnlyShared, FlagKind.OnlyShared) ? null : effect.OnlyShared);
                ApplyFlagEffect(rest, place, creation.Type, creation.Syntax, arguments);
                return;
            }

            SetFlagState(place, FlagKind.OnlyPrivate, BoolValue.Unknown);
            SetFlagState(place, FlagKind.OnlyShared, BoolValue.Unknown);
        }

        /// <summary>
        /// What the type's initializers set, where the constructor runs them (before its body): a
        /// flag copied from a primary constructor's flag parameter is left out, as the creation
        /// stores that argument itself (see <see cref="IsPrimaryFlagParameter"/>).
        /// </summary>
        private void ApplyInitializedFlags(IObjectCreationOperation creation, FlowLocation place, CallArguments arguments)
        {
            if (creation.Constructor is { } constructor && MethodSummaries.RunsInitializers(constructor)
                && _summaries.InitializedFlagsOf(constructor.ContainingType) is { } initialized)
            {
                var primary = IsPrimaryConstructor(constructor);
                var rest = new FlagEffect(
                    primary && CopiesFlagParameter(initialized.OnlyPrivate, FlagKind.OnlyPrivate) ? null : initialized.OnlyPrivate,
                    primary && CopiesFlagParameter(initialized.OnlyShared, FlagKind.OnlyShared) ? null : initialized.OnlyShared,
                    initialized.OnlyPrivateByPath,
                    initialized.OnlySharedByPath,
                    initialized.DecidedByPath);
                ApplyFlagEffect(rest, place, creation.Type, creation.Syntax, arguments);
            }
        }

        /// <summary>A flag parameter of a record's primary constructor (or a hand-written one with no body the analysis sees), which the creation stores directly.</summary>
        private bool IsPrimaryFlagParameter(IMethodSymbol? constructor, IParameterSymbol parameter, out FlagKind flag)
        {
            flag = default;
            if (!SymbolRoles.TryGetFlagParameter(parameter, out flag))
            {
                return false;
            }

            if (constructor is not null && IsPrimaryConstructor(constructor))
            {
                // A record stores its parameters in its properties; any primary constructor stores
                // what an initializer copies (`bool only_shared = only_shared;`), and only that.
                var initialized = MethodSummaries.RunsInitializers(constructor) ? _summaries.InitializedFlagsOf(constructor.ContainingType) : null;
                var set = flag == FlagKind.OnlyPrivate ? initialized?.OnlyPrivate : initialized?.OnlyShared;
                return set is null ? constructor.ContainingType.IsRecord : Copies(set, flag, parameter);
            }

            // A hand-written constructor with a summary: only a flag it copies from this very parameter.
            if (constructor is null || constructor.IsImplicitlyDeclared
                || SymbolEqualityComparer.Default.Equals(constructor.ContainingType, _roles.RuntimeGfnRange)
                || _summaries.FlagEffectsOf(constructor)?.ForThis is not { } effect)
            {
                return true;
            }

            return Copies(flag == FlagKind.OnlyPrivate ? effect.OnlyPrivate : effect.OnlyShared, flag, parameter);
        }

        /// <summary>Is <paramref name="value"/> <paramref name="parameter"/> itself, a parameter named as <paramref name="flag"/>?</summary>
        private static bool Copies(BoolValue? value, FlagKind flag, IParameterSymbol parameter) =>
            CopiesFlagParameter(value, flag) && value!.Value.Origin is FlowLocation { Root: IParameterSymbol copied } && copied.Ordinal == parameter.Ordinal;

        /// <summary>The constructor leaves <paramref name="flag"/> as its own parameter of that flag's name (<c>this.only_private = only_private</c>).</summary>
        private static bool CopiesFlagParameter(BoolValue? value, FlagKind flag) =>
            value is { IsPureUnknown: true, Negated: false, Origin: FlowLocation { Root: IParameterSymbol parameter, Fact: PlaceFact.None } }
            && SymbolRoles.TryGetFlagParameter(parameter, out var named) && named == flag;

        private FlowLocation With(IWithOperation with)
        {
            var source = EvaluateWithPlace(with.Operand).Place;
            var place = new FlowLocation(with, string.Empty);
            CopyOrForget(source, place);
            ApplyInitializer(place, with.Initializer);
            return place;
        }

        private void ApplyInitializer(FlowLocation place, IObjectOrCollectionInitializerOperation initializer)
        {
            _implicitReceivers.Push(place);
            try
            {
                foreach (var member in initializer.Initializers)
                {
                    Evaluate(member);
                }
            }
            finally
            {
                _implicitReceivers.Pop();
            }
        }

        /// <summary>A callee can change what it gets by ref or out, and a range object it gets by reference.</summary>
        private void ForgetPassedRange(IArgumentOperation argument, FlowLocation place, bool keepFlags = false)
        {
            if (!place.IsValid)
            {
                return;
            }

            var refKind = argument.Parameter?.RefKind ?? RefKind.None;
            if (refKind is RefKind.Out)
            {
                // An out argument is written whole, flags and all.
                ForgetKeepingMarks(place);
            }
            else if (refKind is RefKind.Ref || argument.Value.Type is { IsReferenceType: true })
            {
                // A range's flags stay (a handler that rewrites its range's filter is a bug of its
                // own); a filter passed by ref is the value itself, which the callee may change.
                ForgetKeepingMarks(place, keepFlags && !(argument.Value.Type is { } type && SymbolRoles.IsFilterType(type)));
            }
        }

        private static bool IsPrimaryConstructor(IMethodSymbol constructor)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
