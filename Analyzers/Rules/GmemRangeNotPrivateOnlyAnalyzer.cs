using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Flow;

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

        /// <summary>The flag run, shared with KVM0001, KVM0002 and KVM0004 (<see cref="FlagRuleRun"/>).</summary>
        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext) => FlagRuleRun.Report(context, roleContext, FlagRuleRun.GmemPrivate);
    }
}
