using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0005: inside a guest_memfd path (kvm_gmem_invalidate_begin and its kin), every gfn range
    /// passed on to a call must be private-only on every path reaching the call: OnlyPrivate
    /// definitely true and OnlyShared definitely false, or attr_filter definitely
    /// KVM_FILTER_PRIVATE, or a filter the file gives (kvm_gmem_get_invalidate_filter).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GmemRangeNotPrivateOnlyAnalyzer : CodeBlockRule
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.GmemRangeNotPrivateOnly);

        private protected override void Analyze(MethodBody body, RoleContext roleContext) => AnalyzeBlock(body, roleContext);

        private protected override bool MayApplyTo(Gate.SyntaxGate gate) => gate.AnyTreeMayBeAGmemPath;

        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext)
        {
            if (!roleContext.Gate.MayBeAGmemPath(context.Declaration))
            {
                return;
            }

            var roles = MethodFlowRunner.RolesFor(context, roleContext);
            if (roles.Roles.IsGmemPathMethod(context.OwningSymbol))
            {
                AnalyzeFlow(context, roles);
            }
        }

        // Apart from AnalyzeBlock, so that the closure its lambdas share is made only for a block
        // past the gate: C# makes a closure over a parameter when the method is entered.
        private static void AnalyzeFlow(MethodBody context, RoleView roles) =>
            MethodFlowRunner.Analyze(
                context,
                roles,
                FlowFacts.Flags,
                root => RangeCalls.PassesARange(root, roles.Roles),
                FlowState.Empty,
                FlowState.Empty,
                () => new OneSidedRangeReporter(context, roles, Descriptors.GmemRangeNotPrivateOnly, FlagKind.OnlyPrivate));
    }
}
