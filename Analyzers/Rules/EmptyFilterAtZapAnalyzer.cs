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
    /// KVM0004: a gfn range of upstream's attr_filter form that reaches a zap (a zap of the
    /// catalogue, or a helper of the compilation that hands its range to one) must target
    /// something: its filter must not be, or possibly be, 0 there. A range built without assigning
    /// the filter has filter 0. Handing a 0 filter to a handler is not itself a report (upstream's
    /// kvm_handle_gfn_range does, and the arch code assigns the filter before it zaps), and a range
    /// the method was given and forwards unchanged is checked where it was built.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class EmptyFilterAtZapAnalyzer : CodeBlockRule
    {
        /// <summary>Diagnostic property: the index of the argument that carries the range.</summary>
        public const string ArgumentIndexProperty = OneSidedRangeReporter.ArgumentIndexProperty;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.EmptyFilterAtZap);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayZapAFilteredRange;

        /// <summary>The flag run, shared with KVM0001, KVM0002 and KVM0005 (<see cref="FlagRuleRun"/>).</summary>
        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext) => FlagRuleRun.Report(context, roleContext, FlagRuleRun.EmptyFilter);

        /// <summary>The observer that gathers this rule's findings on a flag run over <paramref name="body"/>.</summary>
        internal static FlowObserver NewReporter(MethodBody body, RoleView roles) => new Reporter(body, roles);

        /// <summary>The pre-filter on the operation tree (see <see cref="ZapsAFilteredRange"/>).</summary>
        internal static bool WorthAnalysing(IOperation root, RoleView roles) => ZapsAFilteredRange(root, roles);

        /// <summary>The cheap test before any graph is built: does the body hand a range of the filter form to a zap?</summary>
        private static bool ZapsAFilteredRange(IOperation root, RoleView roles)
        {
            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                foreach (var ordinal in roles.Summaries.ZappedRangeParameters(invocation.TargetMethod))
                {
                    foreach (var argument in invocation.Arguments)
                    {
                        if (argument.Parameter?.Ordinal == ordinal && roles.Roles.HasFilterForm(RangeCalls.RangeType(argument.Parameter.Type)))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _context;
            private readonly RoleView _roles;
            private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

            internal Reporter(MethodBody context, RoleView roles)
            {
                _context = context;
                _roles = roles;
            }

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                foreach (var ordinal in _roles.Summaries.ZappedRangeParameters(invocation.TargetMethod))
                {
                    for (var i = 0; i < invocation.Arguments.Length; i++)
                    {
                        var parameter = invocation.Arguments[i].Parameter;
                        var rangeType = parameter is null ? null : RangeCalls.RangeType(invocation.Arguments[i].Value.Type ?? parameter.Type);
                        if (parameter?.Ordinal != ordinal || !_roles.Roles.HasFilterForm(rangeType) || !argumentPlaces[i].IsValid
                            || !MayBeEmpty(state, argumentPlaces[i]) || !_reported.Add(invocation.Syntax))
                        {
                            continue;
                        }

                        var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        _context.ReportDiagnostic(DiagnosticRecipe.Create(
                            Descriptors.EmptyFilterAtZap,
                            invocation.Syntax.GetLocation(),
                            additionalLocations: new[] { invocation.Arguments[i].Syntax.GetLocation() },
                            properties,
                            RangeCalls.CallName(invocation),
                            _roles.Roles.FilterMember(rangeType)?.Name ?? "attr_filter"));
                    }
                }
            }

            /// <summary>
            /// On some path both bits are clear: a 0 the method built, assigned or left. A filter
            /// the method cannot see is not assumed to be 0, and one it was given unchanged is its
            /// callers' to check.
            /// </summary>
            private static bool MayBeEmpty(FlowState state, FlowLocation range) =>
                (state.Get(range.Flag(FlagKind.OnlyShared)).Possibilities & BoolPossibilities.False) != 0
                && (state.Get(range.Flag(FlagKind.OnlyPrivate)).Possibilities & BoolPossibilities.False) != 0;
        }
    }
}
