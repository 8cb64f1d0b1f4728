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

        /// <summary>The flag run, shared with KVM0001, KVM0004 and KVM0005 (<see cref="FlagRuleRun"/>).</summary>
        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext) => FlagRuleRun.Report(context, roleContext, FlagRuleRun.HvaShared);

        /// <summary>Does the body itself walk the memslots by HVA (<c>kvm_for_each_memslot_in_hva_range</c>, <c>hva_to_gfn_memslot</c>, the runtime's walk)?</summary>
        internal static bool WalksMemslotsByHva(IOperation root)
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
