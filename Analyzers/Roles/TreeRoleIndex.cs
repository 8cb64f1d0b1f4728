using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What one syntax tree declares that the <see cref="SyntaxGate"/> needs: for each
    /// identifier, the method-like members whose bodies spell it; the names of members carrying one of
    /// GfnGuard's role attributes, and the types that declare constructors. Built once per tree
    /// and kept while the tree lives, so an edit re-indexes only the edited document.
    /// </summary>
    internal sealed class TreeRoleIndex
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeRoleIndex> s_byTree = new ConditionalWeakTable<SyntaxTree, TreeRoleIndex>();

        private TreeRoleIndex()
        {
        }

        /// <summary>
        /// For each identifier, the names of the methods, accessors and constructors whose
        /// bodies spell it: what the gate follows back from a lock or reclaim name to its callers.
        /// </summary>
        internal Dictionary<string, List<string>> Spellers { get; } = new Dictionary<string, List<string>>(System.StringComparer.Ordinal);

        /// <summary>What each declaration's body spells and constructs, for the gate to look up instead of re-reading it.</summary>
        internal Dictionary<SyntaxNode, BodySummary> Bodies { get; } = new Dictionary<SyntaxNode, BodySummary>();

        /// <summary>Members declared with a role attribute, by attribute (simple name, without "Attribute").</summary>
        internal Dictionary<string, List<string>> AttributedMembers { get; } = new Dictionary<string, List<string>>(System.StringComparer.Ordinal);

        /// <summary>Names of types with a hand-written constructor (which may give a range's flags defaults).</summary>
        internal HashSet<string> TypesWithConstructors { get; } = new HashSet<string>(System.StringComparer.Ordinal);

        internal static TreeRoleIndex For(SyntaxTree tree, System.Threading.CancellationToken cancellationToken) =>
            s_byTree.GetValue(tree, t => Build(t, cancellationToken));

        /// <summary>Indexes a tree now, without the cache (the benchmarks time this).</summary>
        internal static TreeRoleIndex Build(SyntaxTree tree, System.Threading.CancellationToken cancellationToken)
        {
            var index = new TreeRoleIndex();
            var text = tree.GetText(cancellationToken);
            // Bodies are read by BodySummary, not walked again here; a local function or lambda
            // belongs to the body it is in (no other method can call it by name).
            foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes(descendIntoChildren: n => !IsBody(n)))
            {
                switch (node)
                {
                    case BaseMethodDeclarationSyntax method:
                        index.AddMethod(text, method, MethodName(method), method.Body, method.ExpressionBody, (method as ConstructorDeclarationSyntax)?.Initializer);
                        if (method is ConstructorDeclarationSyntax { Parent: BaseTypeDeclarationSyntax type })
                        {
                            index.TypesWithConstructors.Add(type.Identifier.ValueText);
                        }

                        break;
                    case AccessorDeclarationSyntax { Parent.Parent: BasePropertyDeclarationSyntax property } accessor:
                        index.AddMethod(text, accessor, PropertyName(property), accessor.Body, accessor.ExpressionBody);
                        break;
                    case PropertyDeclarationSyntax { ExpressionBody: { } body } property:
                        index.AddMethod(text, property, property.Identifier.ValueText, body);
                        break;
                    case RecordDeclarationSyntax { ParameterList: not null } record:
                        // A positional record's primary constructor stores its parameters.
                        index.TypesWithConstructors.Add(record.Identifier.ValueText);
                        break;
                    case AttributeSyntax attribute when SyntaxGate.RoleAttributeOf(BodySummary.LastIdentifier(attribute.Name)) is { } name:
                        if (!index.AttributedMembers.TryGetValue(name, out var members))
                        {
                            members = new List<string>();
                            index.AttributedMembers[name] = members;
                        }

                        members.AddRange(MemberNames(attribute));
                        break;
                }
            }

            return index;
        }

        private static bool IsBody(SyntaxNode node) =>
            node is BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ConstructorInitializerSyntax;

        /// <summary>Records a method with what its body spells and constructs (its signature plays no role).</summary>
        private void AddMethod(SourceText text, SyntaxNode declaration, string name, params SyntaxNode?[] bodyParts)
        {
            var summary = BodySummary.Of(text, bodyParts);
            Bodies[declaration] = summary;
            foreach (var identifier in summary.Identifiers)
            {
                if (!Spellers.TryGetValue(identifier, out var spellers))
                {
                    spellers = new List<string>();
                    Spellers[identifier] = spellers;
                }

                spellers.Add(name);
            }
        }

        private static string MethodName(BaseMethodDeclarationSyntax method) => method switch
        {
            MethodDeclarationSyntax m => m.Identifier.ValueText,
            ConstructorDeclarationSyntax c => c.Identifier.ValueText,
            DestructorDeclarationSyntax d => d.Identifier.ValueText,
            OperatorDeclarationSyntax o => o.OperatorToken.ValueText,
            ConversionOperatorDeclarationSyntax => "op_Implicit",
            _ => string.Empty,
        };

        private static string PropertyName(BasePropertyDeclarationSyntax property) => property switch
        {
            PropertyDeclarationSyntax p => p.Identifier.ValueText,
            EventDeclarationSyntax e => e.Identifier.ValueText,
            _ => "this",
        };

        /// <summary>The names of the member (or type, or every field of a declaration) an attribute is on.</summary>
        private static IEnumerable<string> MemberNames(AttributeSyntax attribute)
        {
            switch (attribute.Parent?.Parent)
            {
                case BaseTypeDeclarationSyntax type:
                    yield return type.Identifier.ValueText;
                    break;
                case MethodDeclarationSyntax method:
                    yield return method.Identifier.ValueText;
                    break;
                case PropertyDeclarationSyntax property:
                    yield return property.Identifier.ValueText;
                    break;
                case BaseFieldDeclarationSyntax field:
                    foreach (var variable in field.Declaration.Variables)
                    {
                        yield return variable.Identifier.ValueText;
                    }

                    break;
                case ParameterSyntax parameter:
                    // [property: MmuLock] on a positional record parameter.
                    yield return parameter.Identifier.ValueText;
                    break;
            }
        }
    }
}
