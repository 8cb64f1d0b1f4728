using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.CodeFixes
{
    /// <summary>KVM0002 fix: make the range shared-only (see <see cref="OneSidedRangeFix"/>).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeRangeSharedOnlyCodeFixProvider))]
    [Shared]
    public sealed class MakeRangeSharedOnlyCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "KVM0002:MakeSharedOnly";

        private static readonly SequentialFixAll.FixOne Fix = OneSidedRangeFix.For(FlagKind.OnlyShared);

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.HvaRangeNotSharedOnly);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(Fix);

        public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
            FixRegistration.RegisterAsync(context, "Make the range shared-only", EquivalenceKey, Fix);
    }
}
