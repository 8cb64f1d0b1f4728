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
        public const string ArgumentIndexProperty = OneSidedRangeReporter.ArgumentIndexProperty;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.HvaRangeNotSharedOnly);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayBeAnHvaPath;

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
                root => RangeCalls.PassesARange(root, roles.Roles) && (!walksOnly || WalksMemslotsByHva(root)),
                FlowState.Empty,
                FlowState.Empty,
                () => new OneSidedRangeReporter(context, roles, Descriptors.HvaRangeNotSharedOnly, FlagKind.OnlyShared));

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
    }
}
