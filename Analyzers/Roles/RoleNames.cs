using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// How one role is recognised by name: the kernel's (and the runtime's) names, name prefixes,
    /// the attribute that marks it (matched by simple name, in any namespace) and the
    /// .editorconfig key that adds names. One entry of the <see cref="RoleCatalog"/>.
    /// </summary>
    internal sealed class RoleNames
    {
        internal RoleNames(string title, string? attribute, string? optionKey, params string[] names)
        {
            Title = title;
            Attribute = attribute;
            OptionKey = optionKey;
            Names = ImmutableHashSet.Create(StringComparer.Ordinal, names);
            Prefixes = ImmutableArray<string>.Empty;
        }

        private RoleNames(RoleNames names, ImmutableArray<string> prefixes)
        {
            Title = names.Title;
            Attribute = names.Attribute;
            OptionKey = names.OptionKey;
            Names = names.Names;
            Prefixes = prefixes;
        }

        /// <summary>What the role is, for messages and docs.</summary>
        internal string Title { get; }

        /// <summary>The marking attribute's class name (<c>HvaPathAttribute</c>), or null.</summary>
        internal string? Attribute { get; }

        /// <summary>The attribute as an attribute list writes it (<c>HvaPath</c>), or null.</summary>
        internal string? AttributeShortName => Attribute is null ? null : WithoutAttributeSuffix(Attribute);

        /// <summary>The .editorconfig key that adds names (<c>gfnguard.hva_path_methods</c>), or null.</summary>
        internal string? OptionKey { get; }

        /// <summary>The names that play the role by themselves.</summary>
        internal ImmutableHashSet<string> Names { get; }

        /// <summary>Name prefixes that play the role (<c>kvm_mmu_notifier_</c>).</summary>
        internal ImmutableArray<string> Prefixes { get; }

        internal RoleNames WithPrefix(params string[] prefixes) => new RoleNames(this, ImmutableArray.Create(prefixes));

        /// <summary>The name is one of the role's, or starts with one of its prefixes.</summary>
        internal bool IsNamed(string name)
        {
            if (Names.Contains(name))
            {
                return true;
            }

            foreach (var prefix in Prefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The symbol carries the role's attribute (by simple name, from any namespace).</summary>
        internal bool IsMarked(ISymbol symbol) => Attribute is not null && FindAttribute(symbol) is not null;

        /// <summary>The role's attribute on the symbol, or null.</summary>
        internal AttributeData? FindAttribute(ISymbol symbol)
        {
            if (Attribute is null)
            {
                return null;
            }

            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.Name == Attribute)
                {
                    return attribute;
                }
            }

            return null;
        }

        /// <summary>An attribute's name as an attribute list may write it: without "Attribute".</summary>
        internal static string WithoutAttributeSuffix(string attributeName) =>
            attributeName.EndsWith("Attribute", StringComparison.Ordinal)
                ? attributeName.Substring(0, attributeName.Length - "Attribute".Length)
                : attributeName;

        public override string ToString() => Title;
    }
}
