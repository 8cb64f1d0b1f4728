using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What plays a KVM role in one compilation. Created once per compilation at compilation
    /// start; the well-known symbols are resolved there, and the per-type answers are cached.
    /// A tree's .editorconfig may add names, so <see cref="ForTree"/> hands out the
    /// <see cref="Roles"/> view for that tree's options (one per distinct option set).
    /// </summary>
    internal sealed class RoleContext
    {
        private readonly ConcurrentDictionary<string, Roles> _rolesByOptions =
            new ConcurrentDictionary<string, Roles>(System.StringComparer.Ordinal);

        private RoleContext(Compilation compilation)
        {
            Compilation = compilation;
            RuntimeGfnRange = compilation.GetTypeByMetadataName(KnownNames.RuntimeGfnRangeType);
            Default = new Roles(this, RoleOptions.Empty);
        }

        internal Compilation Compilation { get; }

        /// <summary><c>GfnGuard.Runtime.KvmGfnRange</c>, when the compilation references the runtime.</summary>
        internal INamedTypeSymbol? RuntimeGfnRange { get; }

        /// <summary>The roles with no extra names from options.</summary>
        internal Roles Default { get; }

        internal static RoleContext Create(Compilation compilation) => new RoleContext(compilation);

        internal Roles ForTree(SyntaxTree tree, AnalyzerOptions options)
        {
            var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            var fingerprint = RoleOptions.Fingerprint(config);
            if (fingerprint.Length == 0)
            {
                return Default;
            }

            return _rolesByOptions.GetOrAdd(fingerprint, _ => new Roles(this, RoleOptions.Read(config)));
        }
    }
}
