using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// What plays a KVM role in one compilation. One per compilation and analyzer options,
    /// shared by the rules, so a helper's summary is computed once for all of them; the
    /// well-known symbols are resolved when it is made, and the per-type answers are cached.
    /// A tree's .editorconfig may add names, so <see cref="ForTree"/> hands out the
    /// <see cref="Roles"/> view for that tree's options (one per distinct option set).
    /// </summary>
    internal sealed class RoleContext
    {
        // By compilation, then by analyzer options: a host may analyse one compilation under
        // two sets of options (a test harness does), and names from options feed the gate.
        private static readonly ConditionalWeakTable<Compilation, ConditionalWeakTable<AnalyzerOptions, RoleContext>> s_byCompilation =
            new ConditionalWeakTable<Compilation, ConditionalWeakTable<AnalyzerOptions, RoleContext>>();

        private readonly ConcurrentDictionary<string, Roles> _rolesByOptions =
            new ConcurrentDictionary<string, Roles>(System.StringComparer.Ordinal);

        private readonly ConcurrentDictionary<SyntaxTree, Roles> _rolesByTree = new ConcurrentDictionary<SyntaxTree, Roles>();

        private readonly AnalyzerOptions _options;

        // Lazy, so that the code-block actions that arrive together on several threads build the
        // gate once and wait for it, rather than each building their own.
        private readonly System.Lazy<SyntaxGate> _gate;

        private readonly System.Lazy<INamedTypeSymbol?> _runtimeGfnRange;

        // Made once: a method group passed to GetOrAdd is a new delegate on every call, and every block asks.
        private readonly System.Func<SyntaxTree, Roles> _readForTree;

        private RoleContext(Compilation compilation, AnalyzerOptions options)
        {
            Compilation = compilation;
            _options = options;
            _gate = new System.Lazy<SyntaxGate>(() => new SyntaxGate(compilation, options, default), System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
            // Looked up at the first analysis that needs it: a compilation whose code never gets
            // past the gate never pays for it.
            _runtimeGfnRange = new System.Lazy<INamedTypeSymbol?>(() => compilation.GetTypeByMetadataName(KnownNames.RuntimeGfnRangeType));
            Default = new Roles(this, RoleOptions.Empty);
            _readForTree = ReadForTree;
        }

        internal Compilation Compilation { get; }

        /// <summary><c>GfnGuard.Runtime.KvmGfnRange</c>, when the compilation references the runtime.</summary>
        internal INamedTypeSymbol? RuntimeGfnRange => _runtimeGfnRange.Value;

        /// <summary>The roles with no extra names from options.</summary>
        internal Roles Default { get; }

        /// <summary>The syntax gate of this compilation: which names can lead to a lock, a reclaim or a flag store.</summary>
        internal SyntaxGate Gate => _gate.Value;

        /// <summary>The context for a compilation under these options: made by the first rule to ask, then shared.</summary>
        internal static RoleContext For(Compilation compilation, AnalyzerOptions options) =>
            s_byCompilation.GetValue(compilation, _ => new ConditionalWeakTable<AnalyzerOptions, RoleContext>())
                .GetValue(options, o => new RoleContext(compilation, o));

        /// <summary>The roles under the options that apply to <paramref name="tree"/>; read once per tree, as every block of the tree asks.</summary>
        internal Roles ForTree(SyntaxTree tree) => _rolesByTree.GetOrAdd(tree, _readForTree);

        private Roles ReadForTree(SyntaxTree tree)
        {
            var config = _options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            var fingerprint = RoleOptions.Fingerprint(config);
            if (fingerprint.Length == 0)
            {
                return Default;
            }

            return _rolesByOptions.GetOrAdd(fingerprint, _ => new Roles(this, RoleOptions.Read(config)));
        }
    }
}
