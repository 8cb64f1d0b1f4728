using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// The using aliases a tree declares (a port's typedefs: <c>using gfn_range_t = kvm_gfn_range;</c>,
    /// <c>global using Reclaims = ReclaimsGuestMemoryAttribute;</c>), and what they mean to the
    /// <see cref="SyntaxGate"/>: a body that writes an alias never spells the name it stands for,
    /// so every name the gate looks for is looked for under its aliases too. Each alias is
    /// applied to the whole compilation, not just the scope that declares it; that can only let
    /// more through.
    /// </summary>
    internal static class UsingAliases
    {
        internal static readonly IReadOnlyList<(string Alias, string Target)> None = Array.Empty<(string, string)>();

        /// <summary>
        /// Each alias the tree declares, at its top or in a namespace, with the last name of
        /// what it stands for (<c>kvm_gfn_range</c> for <c>Kvm.kvm_gfn_range*</c>).
        /// </summary>
        internal static IReadOnlyList<(string Alias, string Target)> Of(SyntaxNode root)
        {
            List<(string, string)>? aliases = null;
            if (root is CompilationUnitSyntax unit)
            {
                Add(unit.Usings, ref aliases);
                AddFromNamespaces(unit.Members, ref aliases);
            }

            return aliases ?? None;
        }

        /// <summary>Adds to <paramref name="names"/> each alias of one of them, and each alias of such an alias.</summary>
        internal static void Close(HashSet<string> names, List<(string Alias, string Target)> aliases)
        {
            bool added;
            do
            {
                added = false;
                foreach (var (alias, target) in aliases)
                {
                    if (names.Contains(target) && names.Add(alias))
                    {
                        added = true;
                    }
                }
            }
            while (added);
        }

        /// <summary>
        /// The role attributes by the names an attribute list can use for them, without
        /// "Attribute": each role's own name, and each alias of a role attribute or of such an alias.
        /// </summary>
        internal static Dictionary<string, string> AttributeRoles(List<(string Alias, string Target)> aliases)
        {
            var roles = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var role in SyntaxGate.RoleAttributes)
            {
                roles[role] = role;
            }

            bool added;
            do
            {
                added = false;
                foreach (var (alias, target) in aliases)
                {
                    var name = Roles.RoleNames.WithoutAttributeSuffix(alias);
                    if (!roles.ContainsKey(name) && roles.TryGetValue(Roles.RoleNames.WithoutAttributeSuffix(target), out var role))
                    {
                        roles[name] = role;
                        added = true;
                    }
                }
            }
            while (added);

            return roles;
        }

        private static void AddFromNamespaces(SyntaxList<MemberDeclarationSyntax> members, ref List<(string, string)>? aliases)
        {
            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax space)
                {
                    Add(space.Usings, ref aliases);
                    AddFromNamespaces(space.Members, ref aliases);
                }
            }
        }

        private static void Add(SyntaxList<UsingDirectiveSyntax> usings, ref List<(string, string)>? aliases)
        {
            foreach (var directive in usings)
            {
                if (directive.Alias is { } alias && LastName(directive.NamespaceOrType) is { } target)
                {
                    (aliases ??= new List<(string, string)>()).Add((alias.Name.Identifier.ValueText, target));
                }
            }
        }

        // C# 12 lets an alias stand for any type: a range's pointer, array or nullable type
        // still leads to the range.
        private static string? LastName(TypeSyntax type) => type switch
        {
            PointerTypeSyntax pointer => LastName(pointer.ElementType),
            ArrayTypeSyntax array => LastName(array.ElementType),
            _ => BodySummary.LastIdentifier(type),
        };
    }
}
