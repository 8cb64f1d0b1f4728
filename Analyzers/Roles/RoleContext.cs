using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What plays a KVM role in one compilation. One per compilation, shared by the rules, so
    /// a helper's summary is computed once for all of them; the well-known symbols are resolved
    /// when it is made, and the per-type answers are cached. A tree's .editorconfig may add
    /// names, so <see cref="ForTree"/> hands out the <see cref="Roles"/> view for that tree's
    /// options (one per distinct option set).
    /// </summary>
    internal sealed class RoleContext
    {
        private static readonly ConditionalWeakTable<Compilation, RoleContext> s_byCompilation =
            new ConditionalWeakTable<Compilation, RoleContext>();

        private readonly ConcurrentDictionary<string, Roles> _rolesByOptions =
            new ConcurrentDictionary<string, Roles>(System.StringComparer.Ordinal);

        private readonly AnalyzerOptions _options;

        private RoleContext(Compilation compilation, AnalyzerOptions options)
        {
            Compilation = compilation;
            _options = options;
            RuntimeGfnRange = compilation.GetTypeByMetadataName(KnownNames.RuntimeGfnRangeType);
            Default = new Roles(this, RoleOptions.Empty);
        }

        internal Compilation Compilation { get; }

        /// <summary><c>GfnGuard.Runtime.KvmGfnRange</c>, when the compilation references the runtime.</summary>
        internal INamedTypeSymbol? RuntimeGfnRange { get; }

        /// <summary>The roles with no extra names from options.</summary>
        internal Roles Default { get; }

        /// <summary>The syntax gate of this compilation: which names can lead to a lock, a reclaim or a flag store.</summary>
        internal SyntaxGate Gate => SyntaxGate.For(Compilation, _options, default);

        /// <summary>The compilation's context: made by the first rule to ask, then shared.</summary>
        internal static RoleContext For(Compilation compilation, AnalyzerOptions options) =>
            s_byCompilation.GetValue(compilation, c => new RoleContext(c, options));

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
