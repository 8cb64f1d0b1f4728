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
        private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

        internal OneSidedRangeReporter(MethodBody context, RoleView roles, DiagnosticDescriptor descriptor, FlagKind side)
        {
            _context = context;
            _roles = roles;
            _descriptor = descriptor;
            _side = side;
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
                    if (IsOneSided(side, other, _side) || LeftToTheCallers(side, other) || ForwardedToTheCallers(place, side, other))
                    {
                        continue;
                    }
                }

                if (!_reported.Add(invocation.Syntax))
                {
                    continue;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Report(invocation, rangeType, new[] { invocation.Arguments[i].Syntax.GetLocation() }, properties);
            }
        }

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

        /// <summary>The range is its callers' to make one-sided, and every caller is a path whose rule checks the call (SPEC section 2).</summary>
        private bool LeftToTheCallers(BoolValue side, BoolValue other) =>
            FromTheCallers(side, other) && _context.OwningSymbol is IMethodSymbol method
            && _roles.Summaries.IsPathOfSide(method, _side) && _roles.Summaries.LeavesRangesToItsCallers(method, _side);

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
                    : SymbolEqualityComparer.Default.Equals(function, _context.OwningSymbol)
                        && _roles.Summaries.IsPathOfSide(function, _side) && _roles.Summaries.LeavesRangesToItsCallers(function, _side);
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
