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

        internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
        {
            var effects = _roles.Summaries.FlagEffectsOf(invocation.TargetMethod);
            for (var i = 0; i < invocation.Arguments.Length; i++)
            {
                var parameter = invocation.Arguments[i].Parameter;
                if (parameter is null || !_roles.Roles.IsGfnRangeType(RangeCalls.RangeType(parameter.Type)))
                {
                    continue;
                }

                // A helper that sets the range's flags is building it, not consuming it.
                if (effects?.ForParameter(parameter.Ordinal) is { IsNone: false })
                {
                    continue;
                }

                var place = argumentPlaces[i];
                if ((place.IsValid && IsOneSided(state, place)) || !_reported.Add(invocation.Syntax))
                {
                    continue;
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var rangeType = RangeCalls.RangeType(invocation.Arguments[i].Value.Type ?? parameter.Type);
                _context.ReportDiagnostic(DiagnosticRecipe.Create(
                    _descriptor,
                    invocation.Syntax.GetLocation(),
                    additionalLocations: new[] { invocation.Arguments[i].Syntax.GetLocation() },
                    properties,
                    RangeCalls.CallName(invocation),
                    _context.OwningSymbol.Name,
                    Spelling(rangeType)));
            }
        }

        private bool IsOneSided(FlowState state, FlowLocation range)
        {
            var side = state.Get(range.Flag(_side));
            var other = state.Get(range.Flag(_side.Other()));
            if (side.IsDefinitelyTrue && other.IsDefinitelyFalse)
            {
                return true;
            }

            // kvm_gmem_get_invalidate_filter: the guest_memfd file says which side (SPEC 2).
            return _side == FlagKind.OnlyPrivate
                && side.IsPureUnknown && ReferenceEquals(side.Origin, BoolValue.FileFilterOrigin)
                && other.IsPureUnknown && ReferenceEquals(other.Origin, BoolValue.FileFilterOrigin);
        }

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
