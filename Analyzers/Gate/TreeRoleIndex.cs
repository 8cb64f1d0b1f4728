using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GfnGuard.Analyzers.Gate
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

        private TreeRoleIndex(int textLength)
        {
            // Sized from the text, so that indexing a tree does not regrow them: port code runs
            // to a body per ~600 characters, a distinct name per ~100 and a (name, body) pair
            // per ~30.
            _firstSpeller = new Dictionary<string, int>(16 + (textLength / 100), System.StringComparer.Ordinal);
            _spellerNames = new string[64 + (textLength / 30)];
            _nextSpeller = new int[_spellerNames.Length];
            _bodies = new Dictionary<int, (int, BodySummary)>(4 + (textLength / 600));
        }

        // For each identifier, the methods whose bodies spell it, as chains through two arrays:
        // one dictionary entry per identifier and no list per identifier, since every body of
        // every tree, ordinary code included, is indexed.
        private readonly Dictionary<string, int> _firstSpeller;
        private string[] _spellerNames;
        private int[] _nextSpeller;
        private int _spellerCount;

        // What each declaration's body spells, by where the declaration starts (no two indexed
        // declarations start at the same place) and checked against its kind: a position hashes
        // for nothing, where a node's identity costs a hash code in its header.
        private readonly Dictionary<int, (int Kind, BodySummary Summary)> _bodies;

        /// <summary>How many bodies the tree has.</summary>
        internal int BodyCount => _bodies.Count;

        /// <summary>
        /// The names of the methods, accessors and constructors whose bodies spell
        /// <paramref name="identifier"/>: what the gate follows back from a lock or reclaim name
        /// to its callers.
        /// </summary>
        internal Spellers SpellersOf(string identifier) =>
            new Spellers(this, _firstSpeller.TryGetValue(identifier, out var first) ? first : -1);

        /// <summary>Every identifier some indexed body spells (each has its <see cref="SpellersOf"/>).</summary>
        internal Dictionary<string, int>.KeyCollection SpelledIdentifiers => _firstSpeller.Keys;

        /// <summary>What the body of <paramref name="declaration"/> spells and constructs, when the index has it.</summary>
        internal bool TryGetBody(SyntaxNode declaration, out BodySummary summary)
        {
            if (_bodies.TryGetValue(declaration.SpanStart, out var body) && body.Kind == declaration.RawKind)
            {
                summary = body.Summary;
                return true;
            }

            summary = null!;
            return false;
        }

        /// <summary>
        /// Members declared with an attribute, by the attribute's name as written (without
        /// "Attribute"): the gate maps a role attribute's own name, or an alias of one, to its role.
        /// </summary>
        internal Dictionary<string, List<string>> AttributedMembers { get; } = new Dictionary<string, List<string>>(System.StringComparer.Ordinal);

        /// <summary>Names of types with a hand-written constructor (which may give a range's flags defaults).</summary>
        internal HashSet<string> TypesWithConstructors { get; } = new HashSet<string>(System.StringComparer.Ordinal);

        internal static TreeRoleIndex For(SyntaxTree tree, System.Threading.CancellationToken cancellationToken) =>
            // Looked up first: the lambda captures the token, so making it costs an allocation.
            s_byTree.TryGetValue(tree, out var index) ? index : s_byTree.GetValue(tree, t => Build(t, cancellationToken));

        /// <summary>Indexes a tree now, without the cache (the benchmarks time this).</summary>
        internal static TreeRoleIndex Build(SyntaxTree tree, System.Threading.CancellationToken cancellationToken)
        {
            var text = tree.GetText(cancellationToken);
            var index = new TreeRoleIndex(text.Length);
            // Only declarations are walked, down to their attributes and parameters: bodies are
            // read by BodySummary (a local function or lambda belongs to the body it is in, as
            // no other method can call it by name), and types and expressions hold nothing here.
            foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes(descendIntoChildren: HoldsDeclarations))
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
                    case AttributeSyntax attribute when BodySummary.LastIdentifier(attribute.Name) is { } written:
                        var name = Roles.RoleNames.WithoutAttributeSuffix(written);
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

        /// <summary>The method names in one identifier's chain (see <see cref="SpellersOf"/>).</summary>
        internal readonly struct Spellers
        {
            private readonly TreeRoleIndex _index;
            private readonly int _first;

            internal Spellers(TreeRoleIndex index, int first)
            {
                _index = index;
                _first = first;
            }

            public Enumerator GetEnumerator() => new Enumerator(_index, _first);

            internal struct Enumerator
            {
                private readonly TreeRoleIndex _index;
                private int _next;

                internal Enumerator(TreeRoleIndex index, int first)
                {
                    _index = index;
                    _next = first;
                    Current = null!;
                }

                public string Current { get; private set; }

                public bool MoveNext()
                {
                    if (_next < 0)
                    {
                        return false;
                    }

                    Current = _index._spellerNames[_next];
                    _next = _index._nextSpeller[_next];
                    return true;
                }
            }
        }

        /// <summary>Whether a member, an accessor or an attribute can be found under the node (outside bodies).</summary>
        private static bool HoldsDeclarations(SyntaxNode node) =>
            node is CompilationUnitSyntax or MemberDeclarationSyntax or AttributeListSyntax or AccessorListSyntax
                or AccessorDeclarationSyntax or BaseParameterListSyntax or ParameterSyntax;

        /// <summary>Records a method with what its body spells and constructs (its signature plays no role).</summary>
        private void AddMethod(SourceText text, SyntaxNode declaration, string name, params SyntaxNode?[] bodyParts)
        {
            var summary = BodySummary.Of(text, bodyParts);
            _bodies[declaration.SpanStart] = (declaration.RawKind, summary);
            foreach (var identifier in summary.Identifiers)
            {
                if (_spellerCount == _spellerNames.Length)
                {
                    System.Array.Resize(ref _spellerNames, _spellerCount * 2);
                    System.Array.Resize(ref _nextSpeller, _spellerCount * 2);
                }

                _spellerNames[_spellerCount] = name;
                _nextSpeller[_spellerCount] = _firstSpeller.TryGetValue(identifier, out var next) ? next : -1;
                _firstSpeller[identifier] = _spellerCount++;
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
