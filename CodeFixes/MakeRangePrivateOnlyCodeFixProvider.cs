using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.CodeFixes
{
    /// <summary>KVM0005 fix: make the range private-only (see <see cref="OneSidedRangeFix"/>).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeRangePrivateOnlyCodeFixProvider))]
    [Shared]
    public sealed class MakeRangePrivateOnlyCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "KVM0005:MakePrivateOnly";

        private static readonly SequentialFixAll.FixOne Fix = OneSidedRangeFix.For(FlagKind.OnlyPrivate);

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.GmemRangeNotPrivateOnly);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(Fix);

        public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
            FixRegistration.RegisterAsync(context, "Make the range private-only", EquivalenceKey, Fix);
    }
}
