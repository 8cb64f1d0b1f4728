using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0002: inside an HVA-based path, every gfn range passed on to a call (a handler, a
    /// delegate) must be shared-only on every path reaching the call: OnlyShared definitely
    /// true and OnlyPrivate definitely false.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HvaRangeNotSharedOnlyAnalyzer : CodeBlockRule
    {
        /// <summary>Diagnostic property: the index of the argument that carries the range.</summary>
        public const string ArgumentIndexProperty = "ArgumentIndex";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.HvaRangeNotSharedOnly);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext)
        {
            var gate = roleContext.Gate;
            if (!gate.MayBeAnHvaPath(context.Declaration))
            {
                return;
            }

            var roles = MethodFlowRunner.RolesFor(context, roleContext);
            if (roles.Roles.IsHvaPathMethod(context.OwningSymbol))
            {
                AnalyzeFlow(context, roles, walksOnly: false);
            }
            else if (gate.MayWalkMemslotsByHva(context.Declaration))
            {
                // An HVA path by what it does: it walks the memslots by HVA (SPEC section 3).
                AnalyzeFlow(context, roles, walksOnly: true);
            }
        }

        // Apart from AnalyzeBlock, so that the closure its lambdas share is made only for a block
        // past the gate: C# makes a closure over a parameter when the method is entered.
        private static void AnalyzeFlow(MethodBody context, RoleView roles, bool walksOnly) =>
            MethodFlowRunner.Analyze(
                context,
                roles,
                FlowFacts.Flags,
                root => PassesARange(root, roles.Roles) && (!walksOnly || WalksMemslotsByHva(root)),
                FlowState.Empty,
                FlowState.Empty,
                () => new Reporter(context, roles));

        /// <summary>The cheap test before any graph is built: does the body hand a gfn range to a call at all?</summary>
        private static bool PassesARange(IOperation root, SymbolRoles roles)
        {
            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && roles.IsGfnRangeType(RangeType(parameter.Type)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>Does the body itself walk the memslots by HVA (<c>kvm_for_each_memslot_in_hva_range</c>, <c>hva_to_gfn_memslot</c>, the runtime's walk)?</summary>
        private static bool WalksMemslotsByHva(IOperation root)
        {
            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                if (SymbolRoles.WalksMemslotsByHva(invocation.TargetMethod))
                {
                    return true;
                }
            }

            return false;
        }

        private static ITypeSymbol RangeType(ITypeSymbol type) => type is IPointerTypeSymbol pointer ? pointer.PointedAtType : type;

        /// <summary>
        /// The call as the message names it: a method by its name (<c>kvm_unmap_gfn_range</c>), a
        /// delegate by the expression invoked (<c>range.handler(...)</c>), not by the delegate's type.
        /// </summary>
        internal static string CallName(IInvocationOperation invocation)
        {
            if (invocation.TargetMethod.MethodKind != MethodKind.DelegateInvoke)
            {
                return invocation.TargetMethod.Name;
            }

            var invoked = invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call
                ? call.Expression.ToString()
                : invocation.Instance?.Syntax.ToString();
            return invoked is null ? invocation.TargetMethod.ContainingType.Name : invoked + "(...)";
        }

        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _context;
            private readonly RoleView _roles;
            private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

            /// <summary>What shared-only means for this range, in the port's names: its two bools, or its attr_filter.</summary>
            private string SharedOnlySpelling(ITypeSymbol rangeType) =>
                _roles.Roles.FilterMember(rangeType) is { } filter
                    ? filter.Name + " = " + SharedFilterConstant(filter)
                    : SymbolRoles.FlagName(rangeType, FlagKind.OnlyShared) + " = true and " + SymbolRoles.FlagName(rangeType, FlagKind.OnlyPrivate) + " = false";

            private static string SharedFilterConstant(ISymbol filter)
            {
                var type = filter is IFieldSymbol field ? field.Type : ((IPropertySymbol)filter).Type;
                if (type.TypeKind == TypeKind.Enum)
                {
                    foreach (var member in type.GetMembers())
                    {
                        if (member is IFieldSymbol { HasConstantValue: true } && RoleCatalog.FilterSharedNames.Contains(member.Name))
                        {
                            return type.Name + "." + member.Name;
                        }
                    }
                }

                return "KVM_FILTER_SHARED";
            }

            internal Reporter(MethodBody context, RoleView roles)
            {
                _context = context;
                _roles = roles;
            }

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                var effects = _roles.Summaries.FlagEffectsOf(invocation.TargetMethod);
                for (var i = 0; i < invocation.Arguments.Length; i++)
                {
                    var parameter = invocation.Arguments[i].Parameter;
                    if (parameter is null || !_roles.Roles.IsGfnRangeType(RangeType(parameter.Type)))
                    {
                        continue;
                    }

                    // A helper that sets the range's flags is building it, not consuming it.
                    if (effects?.ForParameter(parameter.Ordinal) is { IsNone: false })
                    {
                        continue;
                    }

                    var place = argumentPlaces[i];
                    var sharedOnly = place.IsValid
                        && state.Get(place.Flag(FlagKind.OnlyShared)).IsDefinitelyTrue
                        && state.Get(place.Flag(FlagKind.OnlyPrivate)).IsDefinitelyFalse;
                    if (sharedOnly || !_reported.Add(invocation.Syntax))
                    {
                        continue;
                    }

                    var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var rangeType = RangeType(invocation.Arguments[i].Value.Type ?? parameter.Type);
                    _context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.HvaRangeNotSharedOnly,
                        invocation.Syntax.GetLocation(),
                        additionalLocations: new[] { invocation.Arguments[i].Syntax.GetLocation() },
                        properties,
                        CallName(invocation),
                        _context.OwningSymbol.Name,
                        SharedOnlySpelling(rangeType)));
                }
            }
        }
    }
}
