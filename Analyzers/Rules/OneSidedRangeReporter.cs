using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0002 and KVM0005: every gfn range a path passes on to a call must target one side only
    /// (shared-only on an HVA-based path, private-only on a guest_memfd path) on every path reaching
    /// the call. In the two-bool form that side's flag is definitely true and the other definitely
    /// false; in the attr_filter form the filter is definitely that side's bit alone (the two facts
    /// are its bits). A range whose filter a guest_memfd file gave is accepted on a guest_memfd path.
    /// </summary>
    internal sealed class OneSidedRangeReporter : FlowObserver
    {
        /// <summary>Diagnostic property: the index of the argument that carries the range.</summary>
        internal const string ArgumentIndexProperty = "ArgumentIndex";

        private readonly MethodBody _context;
        private readonly RoleView _roles;
        private readonly DiagnosticDescriptor _descriptor;
        private readonly FlagKind _side;
        private readonly IMethodSymbol? _function;
        private readonly System.Func<NestedFunctionsRun> _run;
        private readonly System.Func<IMethodSymbol, bool> _checkedAtItsCalls;
        private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

        /// <param name="function">The lambda or local function whose graph is observed, or null for the method's own.</param>
        /// <param name="run">What the method's body runs of its nested functions, made when first asked.</param>
        internal OneSidedRangeReporter(MethodBody context, RoleView roles, DiagnosticDescriptor descriptor, FlagKind side, IMethodSymbol? function, System.Func<NestedFunctionsRun> run)
        {
            _context = context;
            _roles = roles;
            _descriptor = descriptor;
            _side = side;
            _function = function;
            _run = run;
            _checkedAtItsCalls = CheckedAtItsCalls;
        }

        internal override bool ObservesInvocations => true;

        internal override bool ObservesCallBindings => true;

        internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
        {
            foreach (var (i, rangeType) in CheckedRanges(invocation, _roles.Roles, _roles.Summaries))
            {
                var place = argumentPlaces[i];
                if (place.IsValid)
                {
                    var side = state.Get(place.Flag(_side));
                    var other = state.Get(place.Flag(_side.Other()));
                    if (Accepted(place, state))
                    {
                        continue;
                    }
                }

                ReportAt(invocation, i, rangeType);
            }

            // A lambda or local function run here that hands on a range it captured: checked here,
            // with what the range holds here, at the calls inside it that receive the range.
            foreach (var function in NestedFunctionsRun.RunBy(invocation, _roles.Summaries))
            {
                CheckCapturedRanges(function, state);
            }
        }

        /// <summary>
        /// A lambda made here that the path runs, and that may run later from wherever it was
        /// handed: the ranges it captured are checked as they are here (see <see cref="CapturedRangesHandedOn"/>).
        /// </summary>
        internal override void OnLambdaCreated(IMethodSymbol lambda, FlowState state)
        {
            var run = _run();
            if (run.Runs(lambda) && !run.RunsOnlyWhereInvoked(lambda))
            {
                CheckCapturedRanges(lambda, state);
            }
        }

        private void CheckCapturedRanges(IMethodSymbol function, FlowState state)
        {
            foreach (var captured in CapturedRangesHandedOn(function))
            {
                if (!Accepted(FlowLocation.ForSymbol(captured.Variable), state))
                {
                    var argument = captured.Call.Arguments[captured.Index];
                    ReportAt(captured.Call, captured.Index, RangeCalls.RangeType(argument.Value.Type ?? argument.Parameter!.Type));
                }
            }
        }

        /// <summary>Is the range at <paramref name="place"/> one this rule accepts at a call, in <paramref name="state"/>?</summary>
        private bool Accepted(FlowLocation place, FlowState state)
        {
            var side = state.Get(place.Flag(_side));
            var other = state.Get(place.Flag(_side.Other()));
            return IsOneSided(side, other, _side) || LeftToTheCallers(side, other) || ForwardedToTheCallers(place, side, other) || CheckedWhereInvoked(place, side, other);
        }

        private void ReportAt(IInvocationOperation invocation, int argumentIndex, ITypeSymbol rangeType)
        {
            if (_reported.Add(invocation.Syntax))
            {
                var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, argumentIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Report(invocation, rangeType, new[] { invocation.Arguments[argumentIndex].Syntax.GetLocation() }, properties);
            }
        }

        /// <summary>
        /// A range this lambda or local function captured and hands on as it found it (<see
        /// cref="CapturedRangesHandedOn"/>): checked where the function is invoked, with what the
        /// range holds there. Here its flags are unknown only because the graph starts empty.
        /// </summary>
        private bool CheckedWhereInvoked(FlowLocation place, BoolValue side, BoolValue other)
        {
            if (_function is null || place.Path.Length != 0 || place.Root is not ISymbol variable
                || !side.IsPureUnknown || side.Origin is not null || !other.IsPureUnknown || other.Origin is not null)
            {
                return false;
            }

            foreach (var captured in CapturedRangesHandedOn(_function))
            {
                if (SymbolEqualityComparer.Default.Equals(captured.Variable, variable))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The ranges <paramref name="function"/> captured from the code around it (a local or a
        /// parameter declared outside it) and hands to a call this rule checks, without changing,
        /// testing or copying them, when it runs only where the body invokes it, or is a lambda
        /// whose range nothing in the method changes; with each such call (in it, or in a
        /// function it runs only where it invokes it) and the argument's index.
        /// </summary>
        private List<(ISymbol Variable, IInvocationOperation Call, int Index)> CapturedRangesHandedOn(IMethodSymbol function)
        {
            _capturedHandedOn ??= new Dictionary<IMethodSymbol, List<(ISymbol, IInvocationOperation, int)>>(SymbolEqualityComparer.Default);
            if (_capturedHandedOn.TryGetValue(function.OriginalDefinition, out var known))
            {
                return known;
            }

            var found = new List<(ISymbol Variable, IInvocationOperation Call, int Index)>();
            _capturedHandedOn[function.OriginalDefinition] = found;

            // A lambda handed on may run at any time after it is made: a range it captured is then
            // checked where it is made, when nothing in the method changes the range after its
            // declaration (so it holds there what it holds whenever the lambda runs).
            var run = _run();
            var escapes = !run.RunsOnlyWhereInvoked(function);
            var method = escapes ? _context.Root() : null;
            if ((escapes && (function.MethodKind != MethodKind.AnonymousFunction || method is null))
                || run.DeclarationOf(function) is not { } declaration || NestedFunctionsRun.BodyOf(declaration) is not { } body)
            {
                return found;
            }

            var span = declaration.Syntax.Span;
            foreach (var operation in body.Descendants())
            {
                if (operation is not IInvocationOperation invocation
                    || (NestedFunctionsRun.EnclosingFunction(invocation) is { } enclosing && !SymbolEqualityComparer.Default.Equals(enclosing.OriginalDefinition, function.OriginalDefinition) && !run.RunsOnlyWhereInvoked(enclosing)))
                {
                    continue;
                }

                foreach (var (i, _) in CheckedRanges(invocation, _roles.Roles, _roles.Summaries))
                {
                    ISymbol? variable = LockOperations.Unwrap(invocation.Arguments[i].Value) switch
                    {
                        ILocalReferenceOperation local => local.Local,
                        IParameterReferenceOperation parameter => parameter.Parameter,
                        _ => null,
                    };
                    if (variable is not null && !variable.Locations.IsEmpty && !span.Contains(variable.Locations[0].SourceSpan)
                        && ForwardedRanges.PassedOnUnchanged(body, variable, _roles.Roles, _roles.Summaries, flagsRead: false)
                        && (method is null || ForwardedRanges.PassedOnUnchanged(method, variable, _roles.Roles, _roles.Summaries, flagsRead: true)))
                    {
                        found.Add((variable, invocation, i));
                    }
                }
            }

            return found;
        }

        // Asked at the nested functions' invocations and where a report would otherwise be made.
        private Dictionary<IMethodSymbol, List<(ISymbol, IInvocationOperation, int)>>? _capturedHandedOn;

        /// <summary>
        /// A call to a path that leaves the filter of a range it passes on to its callers
        /// (<see cref="MethodSummaries.RangesFromCallers"/>): checked here, with this call's arguments.
        /// No code fix is offered: the filter is this call's argument, not a range it passes.
        /// </summary>
        internal override void OnCallBinding(IInvocationOperation invocation, System.Func<BoolValue, BoolValue> bind)
        {
            foreach (var range in _roles.Summaries.RangesFromCallers(invocation.TargetMethod, _side))
            {
                var side = bind(range.Side);
                var other = bind(range.Other);
                if (!IsOneSided(side, other, _side) && !LeftToTheCallers(side, other) && _reported.Add(invocation.Syntax))
                {
                    Report(invocation, range.RangeType, System.Array.Empty<Location>(), ImmutableDictionary<string, string?>.Empty);
                }
            }
        }

        /// <summary>The arguments of a call that carry a range the rule checks, with the range's type: not those of a helper that sets the range's flags (it builds the range).</summary>
        internal static IEnumerable<(int Index, ITypeSymbol RangeType)> CheckedRanges(IInvocationOperation invocation, SymbolRoles roles, MethodSummaries summaries)
        {
            FlagEffects? effects = null;
            var effectsAsked = false;
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                var parameter = invocation.Arguments[i].Parameter;
                if (parameter is null || !roles.IsGfnRangeType(RangeCalls.RangeType(parameter.Type)))
                {
                    continue;
                }

                if (!effectsAsked)
                {
                    effects = summaries.FlagEffectsOf(invocation.TargetMethod);
                    effectsAsked = true;
                }

                // A helper that sets the range's flags, or builds the range it returns from it, is
                // building a range, not consuming one.
                // One that only reads it (`is_shared(in r)`) is testing it, not acting on it.
                if (effects?.ForParameter(parameter.Ordinal) is { IsNone: false } || summaries.OnlyBuildsFrom(invocation.TargetMethod, parameter.Ordinal)
                    || summaries.OnlyReads(invocation.TargetMethod, parameter.Ordinal))
                {
                    continue;
                }

                yield return (i, RangeCalls.RangeType(invocation.Arguments[i].Value.Type ?? parameter.Type));
            }
        }

        /// <summary>
        /// One side only: that side's flag (or bit) definitely true and the other's definitely
        /// false; or, on a guest_memfd path, the filter kvm_gmem_get_invalidate_filter gave (SPEC 2).
        /// </summary>
        internal static bool IsOneSided(BoolValue side, BoolValue other, FlagKind sideKind)
        {
            if (side.IsDefinitelyTrue && other.IsDefinitelyFalse)
            {
                return true;
            }

            return sideKind == FlagKind.OnlyPrivate
                && side.IsPureUnknown && ReferenceEquals(side.Origin, BoolValue.FileFilterOrigin)
                && other.IsPureUnknown && ReferenceEquals(other.Origin, BoolValue.FileFilterOrigin);
        }

        /// <summary>What keeps the range from being one-sided comes from the method's callers (its parameter, <c>this</c>) and nothing else.</summary>
        internal static bool FromTheCallers(BoolValue side, BoolValue other) =>
            (side.ComesFromTheCallers || other.ComesFromTheCallers)
            && (side.IsDefinitelyTrue || side.ComesFromTheCallers)
            && (other.IsDefinitelyFalse || other.ComesFromTheCallers);

        /// <summary>
        /// The range is its callers' to make one-sided, and every caller is a path whose rule
        /// checks the call (SPEC section 2), or a call of a local function the body only calls.
        /// </summary>
        private bool LeftToTheCallers(BoolValue side, BoolValue other) =>
            FromTheCallers(side, other) && _context.OwningSymbol is IMethodSymbol method
            && (!side.ComesFromTheCallers || CallersValues.LeftToTheCallers(side, method, _function, _checkedAtItsCalls))
            && (!other.ComesFromTheCallers || CallersValues.LeftToTheCallers(other, method, _function, _checkedAtItsCalls));

        private bool CheckedAtItsCalls(IMethodSymbol function) =>
            _roles.Summaries.IsPathOfSide(function, _side) && _roles.Summaries.LeavesRangesToItsCallers(function, _side);

        /// <summary>
        /// A range the function received as a parameter and passes on unchanged, whose every call
        /// this rule checks with the range it passes (SPEC section 2: checked where it was built):
        /// the method's own, when every caller is a path of the same side; a local function's or
        /// lambda's, when this body only calls it (<see cref="NestedFunctionCallers"/>). Its flags
        /// are then what the caller gave: nothing here made them known.
        /// </summary>
        private bool ForwardedToTheCallers(FlowLocation place, BoolValue side, BoolValue other)
        {
            // As given: an unknown nothing here stored (a guard may have made one side known).
            static bool AsGiven(BoolValue value) => value.IsPureUnknown && value.Origin is null;
            if (place.Path.Length != 0 || place.Root is not IParameterSymbol { ContainingSymbol: IMethodSymbol function } parameter
                || !(AsGiven(side) || AsGiven(other)) || !(AsGiven(side) || side.IsDefinitelyTrue) || !(AsGiven(other) || other.IsDefinitelyFalse))
            {
                return false;
            }

            _forwarded ??= new Dictionary<IParameterSymbol, bool>(SymbolEqualityComparer.Default);
            if (!_forwarded.TryGetValue(parameter, out var forwarded))
            {
                var root = _context.Root();
                var callersChecked = function.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction
                    ? root is not null && NestedFunctionCallers.OnlyCalledIn(root, function)
                    : SymbolEqualityComparer.Default.Equals(function, _context.OwningSymbol) && CheckedAtItsCalls(function);
                forwarded = callersChecked && root is not null && ForwardedRanges.PassedOnUnchanged(root, parameter, _roles.Roles, _roles.Summaries);
                _forwarded[parameter] = forwarded;
            }

            return forwarded;
        }

        // Asked only where a report would otherwise be made, once per parameter.
        private Dictionary<IParameterSymbol, bool>? _forwarded;

        /// <summary>
        /// Whether the body calls a path of <paramref name="side"/> that leaves the filter of a
        /// range it passes on to its callers (see <see cref="OnCallBinding"/>), so the body is
        /// worth analysing though it passes no range.
        /// </summary>
        internal static bool CallsAPathOfSide(IOperation root, MethodSummaries summaries, FlagKind side)
        {
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation { Arguments.IsEmpty: false } invocation
                    && !invocation.TargetMethod.DeclaringSyntaxReferences.IsEmpty
                    && summaries.IsPathOfSide(invocation.TargetMethod, side)
                    && !summaries.RangesFromCallers(invocation.TargetMethod, side).IsEmpty)
                {
                    return true;
                }
            }

            return false;
        }

        private void Report(IInvocationOperation invocation, ITypeSymbol rangeType, Location[] additionalLocations, ImmutableDictionary<string, string?> properties) =>
            _context.ReportDiagnostic(DiagnosticRecipe.Create(
                _descriptor,
                invocation.Syntax.GetLocation(),
                additionalLocations,
                properties,
                RangeCalls.CallName(invocation),
                _context.OwningSymbol.Name,
                Spelling(rangeType)));

        /// <summary>What the side means for this range, in the port's names: its two bools, or its attr_filter.</summary>
        private string Spelling(ITypeSymbol rangeType)
        {
            if (_roles.Roles.FilterMember(rangeType) is not { } filter)
            {
                return SymbolRoles.FlagName(rangeType, _side) + " = true and " + SymbolRoles.FlagName(rangeType, _side.Other()) + " = false";
            }

            var type = SymbolRoles.FilterType(filter);
            return filter.Name + " = " + (SymbolRoles.FilterEnumMember(type, _side) is { } member ? type.Name + "." + member.Name : RoleCatalog.FilterKernelName(_side));
        }
    }
}
