using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using GfnGuard.Analyzers.Gate;
using GfnGuard.Analyzers.Roles;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// What plays a KVM role in one compilation, and what its methods do: the syntax gate, the
    /// <see cref="SymbolRoles"/> for each set of .editorconfig names, and the
    /// <see cref="MethodSummaries"/> computed under each. One per compilation and analyzer
    /// options, shared by the rules, so a helper's summary is computed once for all of them.
    /// It lives here, beside the summaries it owns, so that <c>Roles</c> (the catalogue) needs
    /// nothing from the flow analysis and the gate nothing from either.
    /// </summary>
    internal sealed class RoleContext
    {
        // By compilation, then by analyzer options: a host may analyse one compilation under
        // two sets of options (a test harness does), and names from options feed the gate.
        private static readonly ConditionalWeakTable<Compilation, ConditionalWeakTable<AnalyzerOptions, RoleContext>> s_byCompilation =
            new ConditionalWeakTable<Compilation, ConditionalWeakTable<AnalyzerOptions, RoleContext>>();

        private readonly ConcurrentDictionary<string, RoleView> _viewsByOptions =
            new ConcurrentDictionary<string, RoleView>(System.StringComparer.Ordinal);

        private readonly ConcurrentDictionary<SyntaxTree, RoleView> _viewsByTree = new ConcurrentDictionary<SyntaxTree, RoleView>();

        private readonly AnalyzerOptions _options;

        // Lazy, so that the code-block actions that arrive together on several threads build the
        // gate once and wait for it, rather than each building their own.
        private readonly System.Lazy<SyntaxGate> _gate;

        private readonly System.Lazy<INamedTypeSymbol?> _runtimeGfnRange;

        private readonly System.Lazy<RoleView> _default;

        // Every block of every rule asks: held here rather than looked up by gate each time.
        private readonly System.Lazy<BodyResults> _results;

        // Made once: a method group passed to GetOrAdd is a new delegate on every call, and every block asks.
        private readonly System.Func<SyntaxTree, RoleView> _readForTree;

        private RoleContext(Compilation compilation, AnalyzerOptions options)
        {
            Compilation = compilation;
            _options = options;
            _gate = new System.Lazy<SyntaxGate>(() => new SyntaxGate(compilation, options, default), System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
            // Looked up at the first analysis that needs it: a compilation whose code never gets
            // past the gate never pays for it.
            _runtimeGfnRange = new System.Lazy<INamedTypeSymbol?>(() => compilation.GetTypeByMetadataName(RoleCatalog.RuntimeGfnRangeType));
            // Made at the first block that gets past the gate: on ordinary code, never.
            _default = new System.Lazy<RoleView>(() => NewView(RoleOptions.Empty), System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
            _readForTree = ReadForTree;
            _results = new System.Lazy<BodyResults>(() => BodyResults.For(compilation, Gate), System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
        }

        internal Compilation Compilation { get; }

        /// <summary>What the rules found in each body, for the next keystroke's compilation; made at the first block past the gate.</summary>
        internal BodyResults Results => _results.Value;

        /// <summary>The lock-state run KVM0003 and KVM0007 share over one body, by declaration (weakly: a run goes with its tree).</summary>
        internal ConditionalWeakTable<SyntaxNode, SharedRun> LockRuns { get; } = new ConditionalWeakTable<SyntaxNode, SharedRun>();

        /// <summary>The flag run KVM0001, KVM0002, KVM0004 and KVM0005 share over one body, by declaration.</summary>
        internal ConditionalWeakTable<SyntaxNode, SharedRun> FlagRuns { get; } = new ConditionalWeakTable<SyntaxNode, SharedRun>();

        /// <summary>The roles with no extra names from options.</summary>
        internal RoleView Default => _default.Value;

        /// <summary>The syntax gate of this compilation: which names can lead to a lock, a reclaim or a flag store.</summary>
        internal SyntaxGate Gate => _gate.Value;

        /// <summary>The context for a compilation under these options: made by the first rule to ask, then shared.</summary>
        internal static RoleContext For(Compilation compilation, AnalyzerOptions options) =>
            s_byCompilation.GetValue(compilation, _ => new ConditionalWeakTable<AnalyzerOptions, RoleContext>())
                .GetValue(options, o => new RoleContext(compilation, o));

        /// <summary>The roles under the options that apply to <paramref name="tree"/>; read once per tree, as every block of the tree asks.</summary>
        internal RoleView ForTree(SyntaxTree tree) => _viewsByTree.GetOrAdd(tree, _readForTree);

        private RoleView ReadForTree(SyntaxTree tree)
        {
            var config = _options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            var fingerprint = RoleOptions.Fingerprint(config);
            if (fingerprint.Length == 0)
            {
                return Default;
            }

            return _viewsByOptions.GetOrAdd(fingerprint, _ => NewView(RoleOptions.Read(config)));
        }

        private RoleView NewView(RoleOptions options)
        {
            var roles = new SymbolRoles(_runtimeGfnRange, options);
            return new RoleView(roles, new MethodSummaries(roles, this));
        }
    }
}
