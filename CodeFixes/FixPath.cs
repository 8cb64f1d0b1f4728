using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.CodeFixes
{
    /// <summary>Which kind of path a fixed node is on: what orders the fixes of KVM0001 and KVM0004 (SPEC section 4).</summary>
    internal enum FixPathKind
    {
        /// <summary>Neither: attribute conversion, memslot deletion, a helper.</summary>
        Other,

        /// <summary>A guest_memfd path: private first.</summary>
        GuestMemfd,

        /// <summary>An HVA-based path, by its signature or its walk of the memslots by HVA: shared first.</summary>
        Hva,
    }

    internal static class FixPath
    {
        /// <summary>The kind of path the member holding <paramref name="node"/> is, as the analyzers recognise it.</summary>
        internal static FixPathKind Of(SyntaxNode node, SemanticModel? model, SymbolRoles? roles, CancellationToken cancellationToken)
        {
            var member = node.FirstAncestorOrSelf<MemberDeclarationSyntax>(m => m is BaseMethodDeclarationSyntax or PropertyDeclarationSyntax or IndexerDeclarationSyntax);
            if (member is null || model is null || roles is null || model.GetDeclaredSymbol(member, cancellationToken) is not { } method)
            {
                return FixPathKind.Other;
            }

            if (roles.IsGmemPathMethod(method))
            {
                return FixPathKind.GuestMemfd;
            }

            return roles.IsHvaPathMethod(method) || WalksMemslotsByHva(member, model, cancellationToken) ? FixPathKind.Hva : FixPathKind.Other;
        }

        private static bool WalksMemslotsByHva(SyntaxNode member, SemanticModel model, CancellationToken cancellationToken) =>
            member.DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Any(call => model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol callee && SymbolRoles.WalksMemslotsByHva(callee));
    }
}
