using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using GfnGuard.Analyzers;
using GfnGuard.Analyzers.Roles;
using GfnGuard.Analyzers.Rules;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// The fix of KVM0002 and KVM0005: make the range one-sided (shared-only, private-only) where
    /// it is built (its object initializer, when nothing else in the method sets its flags) or
    /// just before the call, in the port's own form (two bools, or attr_filter).
    /// </summary>
    internal static class OneSidedRangeFix
    {
        internal static SequentialFixAll.FixOne For(FlagKind side) => (document, reported, diagnostic, cancellationToken) => FixAsync(document, reported, diagnostic, side, cancellationToken);

        /// <summary>The attr_filter form's "target both sides" (KVM0004's third fix).</summary>
        internal static SequentialFixAll.FixOne ForBothSides() => (document, reported, diagnostic, cancellationToken) => FixAsync(document, reported, diagnostic, null, cancellationToken);

        private static async Task<Document?> FixAsync(Document document, SyntaxNode reported, Diagnostic diagnostic, FlagKind? side, CancellationToken cancellationToken)
        {
            var invocation = reported.FirstAncestorOrSelf<InvocationExpressionSyntax>();
            if (invocation is null
                || !diagnostic.Properties.TryGetValue(HvaRangeNotSharedOnlyAnalyzer.ArgumentIndexProperty, out var indexText)
                || !int.TryParse(indexText, out var index)
                || index >= invocation.ArgumentList.Arguments.Count)
            {
                return null;
            }

            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return null;
            }

            var argument = invocation.ArgumentList.Arguments[index].Expression;
            if (model.GetTypeInfo(argument, cancellationToken).Type is not INamedTypeSymbol rangeType
                || await FixRoles.ForAsync(document, cancellationToken).ConfigureAwait(false) is not { } roles
                || OneSidedMembers(rangeType, side, roles.Roles, model, invocation.SpanStart) is not { } members)
            {
                return null;
            }

            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var creation = argument as BaseObjectCreationExpressionSyntax ?? BuiltOnlyByItsDeclaration(argument, invocation, model, cancellationToken);
            if (creation is not null && ReplacesOnlyWhatRunsNothing(creation, members.Stores))
            {
                editor.ReplaceNode(creation, WithSharedOnlyInitializer(creation, members.Stores));
                return editor.GetChangedDocument();
            }

            if (!IsAssignable(argument, model, cancellationToken) || StatementOf(invocation) is not { } statement
                || statement is not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax or ReturnStatementSyntax))
            {
                return null;
            }

            var target = argument.WithoutTrivia();
            StatementSyntax[] assignments = members.InitOnly
                ? new StatementSyntax[]
                {
                    SyntaxFactory.ParseStatement($"{target} = {target} with {{ {string.Join(", ", members.Stores.Select(m => m.Name + " = " + m.Value))} }};"),
                }
                // Clear the other flag first: a range is never both, not even between two statements.
                : members.Stores.Select(m => SyntaxFactory.ParseStatement($"{target}.{m.Name} = {m.Value};")).ToArray();

            StatementEdits.InsertBefore(editor, statement, assignments);
            return editor.GetChangedDocument();
        }

        /// <summary>
        /// The statement the call is part of, in the call's own function: none for a call in an
        /// expression-bodied lambda (`ranges.ForEach(r => zap(ref r))`), where the statement found
        /// further out runs before the lambda does, and its range is not in scope there.
        /// </summary>
        private static StatementSyntax? StatementOf(SyntaxNode invocation)
        {
            foreach (var ancestor in invocation.Ancestors())
            {
                switch (ancestor)
                {
                    case StatementSyntax statement:
                        return statement;
                    case AnonymousFunctionExpressionSyntax or ArrowExpressionClauseSyntax:
                        return null;
                }
            }

            return null;
        }

        /// <summary>
        /// The stores that make a range of this type one-sided, in the port's own names: its two
        /// bools (the other side's cleared first), or its attr_filter set to the side's constant
        /// (the enum's member, or an integer constant KVM_FILTER_SHARED / KVM_FILTER_PRIVATE the
        /// code can see); null when the type has neither, or no such constant can be named.
        /// </summary>
        private static ((string Name, string Value)[] Stores, bool InitOnly)? OneSidedMembers(INamedTypeSymbol rangeType, FlagKind? side, SymbolRoles roles, SemanticModel model, int position)
        {
            if (roles.FilterMember(rangeType) is { } filter)
            {
                var filterType = SymbolRoles.FilterType(filter);
                var shared = FilterConstant(filterType, FlagKind.OnlyShared, model, position);
                var @private = FilterConstant(filterType, FlagKind.OnlyPrivate, model, position);
                var constant = side switch
                {
                    FlagKind.OnlyShared => shared,
                    FlagKind.OnlyPrivate => @private,
                    _ => shared is null || @private is null ? null : shared + " | " + @private,
                };
                return constant is null ? null : (new[] { (filter.Name, constant) }, IsInitOnly(filter));
            }

            if (side is not { } kind || SymbolRoles.FlagMember(rangeType, kind) is not { } kept || SymbolRoles.FlagMember(rangeType, kind.Other()) is not { } cleared)
            {
                return null;
            }

            return (new[] { (cleared.Name, "false"), (kept.Name, "true") }, IsInitOnly(kept) || IsInitOnly(cleared));
        }

        /// <summary>A filter constant in the port's spelling: the enum's member, or an integer constant of the kernel's name the code can see.</summary>
        private static string? FilterConstant(ITypeSymbol filterType, FlagKind side, SemanticModel model, int position) =>
            SymbolRoles.FilterEnumMember(filterType, side) is { } member
                ? filterType.ToMinimalDisplayString(model, position) + "." + member.Name
                : model.LookupSymbols(position, name: RoleCatalog.FilterKernelName(side)).OfType<IFieldSymbol>().Any(f => f.HasConstantValue) ? RoleCatalog.FilterKernelName(side) : null;

        private static bool IsInitOnly(ISymbol member) => member is IPropertySymbol { SetMethod.IsInitOnly: true } or IPropertySymbol { SetMethod: null };

        /// <summary>A local built by <c>var x = new T { ... }</c> and used nowhere but in this call.</summary>
        private static BaseObjectCreationExpressionSyntax? BuiltOnlyByItsDeclaration(ExpressionSyntax argument, InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
        {
            if (argument is not IdentifierNameSyntax identifier
                || model.GetSymbolInfo(identifier, cancellationToken).Symbol is not ILocalSymbol local
                || local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: BaseObjectCreationExpressionSyntax creation } declarator)
            {
                return null;
            }

            var body = declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            if (body is null)
            {
                return null;
            }

            foreach (var use in body.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (use.Identifier.ValueText != local.Name || use.SpanStart == identifier.SpanStart
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(use, cancellationToken).Symbol, local))
                {
                    continue;
                }

                // Used anywhere else (copied, written, handed on): editing the build site would change more than this call.
                return null;
            }

            return creation;
        }

        /// <summary>
        /// Editing the initializer replaces the values it stores in these members: only where
        /// none of them runs anything (<c>attr_filter = filter_for(kvm)</c> still runs, so the
        /// fix sets the filter just before the call instead, or is not offered).
        /// </summary>
        private static bool ReplacesOnlyWhatRunsNothing(BaseObjectCreationExpressionSyntax creation, (string Name, string Value)[] stores)
        {
            foreach (var expression in creation.Initializer?.Expressions ?? default)
            {
                if (StoresOneOf(expression, stores) && !FlagValueSyntax.RunsNothing(((AssignmentExpressionSyntax)expression).Right))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>An initializer member (<c>attr_filter = ...</c>) that stores one of these members.</summary>
        private static bool StoresOneOf(ExpressionSyntax expression, (string Name, string Value)[] stores) =>
            expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } && stores.Any(m => m.Name == name.Identifier.ValueText);

        private static bool IsAssignable(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
            model.GetSymbolInfo(expression, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol { RefKind: not RefKind.In } or IFieldSymbol { IsReadOnly: false } or IPropertySymbol { SetMethod: not null };

        /// <summary>
        /// The creation with the shared-only stores in its initializer (replacing the same members
        /// there), laid out like the members already there: one per line stays one per line.
        /// </summary>
        private static BaseObjectCreationExpressionSyntax WithSharedOnlyInitializer(BaseObjectCreationExpressionSyntax creation, (string Name, string Value)[] stores)
        {
            var existing = creation.Initializer?.Expressions ?? default;
            var kept = existing.Where(e => !StoresOneOf(e, stores)).ToList();
            var template = kept.FirstOrDefault() ?? (existing.Count > 0 ? existing[0] : null);
            var leading = template?.GetLeadingTrivia() ?? default;
            var separator = existing.SeparatorCount > 0
                ? existing.GetSeparator(0)
                : SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
            var hadTrailingComma = existing.Count > 0 && existing.SeparatorCount == existing.Count;
            var lastTrailing = existing.Count > 0 && !hadTrailingComma ? existing[existing.Count - 1].GetTrailingTrivia() : default;

            var items = kept.Select(e => e.WithoutTrailingTrivia()).ToList();
            foreach (var (name, value) in stores)
            {
                items.Add(SyntaxFactory.ParseExpression($"{name} = {value}").WithLeadingTrivia(leading));
            }

            items[items.Count - 1] = items[items.Count - 1].WithTrailingTrivia(lastTrailing);

            var nodesAndTokens = new System.Collections.Generic.List<SyntaxNodeOrToken>();
            for (var i = 0; i < items.Count; i++)
            {
                nodesAndTokens.Add(items[i]);
                if (i < items.Count - 1 || hadTrailingComma)
                {
                    nodesAndTokens.Add(separator);
                }
            }

            var list = SyntaxFactory.SeparatedList<ExpressionSyntax>(nodesAndTokens);
            if (creation.Initializer is { } initializer)
            {
                return creation.WithInitializer(initializer.WithExpressions(list));
            }

            var result = creation.WithInitializer(SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, list));
            if (result is ObjectCreationExpressionSyntax { ArgumentList: null } withoutArguments)
            {
                result = withoutArguments.WithType(withoutArguments.Type.WithTrailingTrivia(SyntaxFactory.Space));
            }

            return result.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        }
    }
}
