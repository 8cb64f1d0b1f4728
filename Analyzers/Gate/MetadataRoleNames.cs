using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace GfnGuard.Analyzers.Gate
{
    /// <summary>
    /// Names of members that a referenced (compiled) library marks with GfnGuard's role
    /// attributes, e.g. the runtime's <c>[AcquiresMmuLock] WriteLock</c>, so the
    /// <see cref="SyntaxGate"/> knows them by name, and whether it declares anything a role can
    /// start from. Framework assemblies are skipped; each assembly is scanned once while its
    /// symbol lives.
    /// </summary>
    internal static class MetadataRoleNames
    {
        private static readonly ConditionalWeakTable<IAssemblySymbol, LibraryRoles> s_byAssembly =
            new ConditionalWeakTable<IAssemblySymbol, LibraryRoles>();

        /// <summary>Attribute simple name (without "Attribute") → names of the members carrying it.</summary>
        internal static Dictionary<string, List<string>> Of(IAssemblySymbol assembly) => s_byAssembly.GetValue(assembly, Scan).Attributed;

        /// <summary>
        /// Whether a library gives anything a role: it declares a type or member with a
        /// <see cref="Roles.RoleCatalog.IsSeedName">seed name</see>, or marks a member with a role attribute.
        /// </summary>
        internal static bool MayGiveARole(IAssemblySymbol assembly)
        {
            var roles = s_byAssembly.GetValue(assembly, Scan);
            return roles.DeclaresASeedName || roles.Attributed.Count > 0;
        }

        /// <summary>
        /// The .NET platform's own assemblies: a framework name signed with one of Microsoft's
        /// keys. A library merely named Microsoft.* or System.* (a port could be) is not one, so
        /// its role names are not skipped.
        /// </summary>
        private static bool IsFramework(IAssemblySymbol assembly)
        {
            var identity = assembly.Identity;
            var name = identity.Name;
            var frameworkName = name.StartsWith("System", System.StringComparison.Ordinal)
                || name.StartsWith("Microsoft.", System.StringComparison.Ordinal)
                || name is "mscorlib" or "netstandard" or "WindowsBase";
            return frameworkName && IsMicrosoftKey(identity.PublicKeyToken);
        }

        // ECMA, Microsoft, the shared-framework, .NET Core's open key, System.Private.CoreLib's, and Microsoft.Extensions' / ASP.NET Core's.
        private static readonly byte[][] s_microsoftKeyTokens =
        {
            new byte[] { 0xb7, 0x7a, 0x5c, 0x56, 0x19, 0x34, 0xe0, 0x89 },
            new byte[] { 0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a },
            new byte[] { 0x31, 0xbf, 0x38, 0x56, 0xad, 0x36, 0x4e, 0x35 },
            new byte[] { 0xcc, 0x7b, 0x13, 0xff, 0xcd, 0x2d, 0xdd, 0x51 },
            new byte[] { 0x7c, 0xec, 0x85, 0xd7, 0xbe, 0xa7, 0x79, 0x8e },
            new byte[] { 0xad, 0xb9, 0x79, 0x38, 0x29, 0xdd, 0xae, 0x60 },
        };

        private static bool IsMicrosoftKey(System.Collections.Immutable.ImmutableArray<byte> token)
        {
            if (token.Length != 8)
            {
                return false;
            }

            foreach (var known in s_microsoftKeyTokens)
            {
                var matches = true;
                for (var i = 0; i < 8 && matches; i++)
                {
                    matches = known[i] == token[i];
                }

                if (matches)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The compilation's references that are libraries, not the framework: the ones the gate asks about roles.</summary>
        internal static List<IAssemblySymbol> Libraries(Compilation compilation)
        {
            var libraries = new List<IAssemblySymbol>();
            foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (!IsFramework(assembly))
                {
                    libraries.Add(assembly);
                }
            }

            return libraries;
        }

        /// <summary>
        /// Whether one of <paramref name="libraries"/> declares a type with one of these simple
        /// names. Asks the assembly's type-name table, which the compiler reads from metadata
        /// without creating any symbol.
        /// </summary>
        internal static bool AnyDeclares(List<IAssemblySymbol> libraries, HashSet<string> typeNames)
        {
            foreach (var assembly in libraries)
            {
                foreach (var metadataName in assembly.TypeNames)
                {
                    // A generic type's metadata name carries its arity: kvm_gfn_range`1.
                    var tick = metadataName.IndexOf('`');
                    if (typeNames.Contains(tick < 0 ? metadataName : metadataName.Substring(0, tick)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static LibraryRoles Scan(IAssemblySymbol assembly)
        {
            var result = new Dictionary<string, List<string>>(System.StringComparer.Ordinal);
            var declaresASeedName = false;
            var pending = new Stack<INamespaceOrTypeSymbol>();
            pending.Push(assembly.GlobalNamespace);
            while (pending.Count > 0)
            {
                foreach (var member in pending.Pop().GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container)
                    {
                        pending.Push(container);
                    }

                    declaresASeedName |= Roles.RoleCatalog.IsSeedName(member.Name);
                    foreach (var attribute in member.GetAttributes())
                    {
                        if (SyntaxGate.RoleAttributeOf(attribute.AttributeClass?.Name) is { } name)
                        {
                            if (!result.TryGetValue(name, out var members))
                            {
                                members = new List<string>();
                                result[name] = members;
                            }

                            members.Add(member.Name);
                        }
                    }
                }
            }

            return new LibraryRoles(result, declaresASeedName);
        }

        private sealed class LibraryRoles
        {
            internal LibraryRoles(Dictionary<string, List<string>> attributed, bool declaresASeedName)
            {
                Attributed = attributed;
                DeclaresASeedName = declaresASeedName;
            }

            internal Dictionary<string, List<string>> Attributed { get; }

            internal bool DeclaresASeedName { get; }
        }
    }
}
