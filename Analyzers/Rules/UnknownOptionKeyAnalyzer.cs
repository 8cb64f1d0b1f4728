using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0900: an .editorconfig (or global config) key that starts <c>gfnguard.</c> but is not
    /// one of the keys of the <see cref="RoleCatalog"/>. Reported once per key and compilation,
    /// naming the closest known key, so a misspelt key is not silently ignored.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnknownOptionKeyAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.UnknownOptionKey);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            // Once the compilation is known: a key is configuration of the whole project, and the
            // trees share a handful of option sets between them.
            context.RegisterCompilationAction(Analyze);
        }

        private static void Analyze(CompilationAnalysisContext context)
        {
            var provider = context.Options.AnalyzerConfigOptionsProvider;
            var seenOptions = new HashSet<AnalyzerConfigOptions>(ReferenceComparer.Instance) { provider.GlobalOptions };
            var unknown = new SortedSet<string>(System.StringComparer.OrdinalIgnoreCase);
            unknown.UnionWith(RoleOptions.UnknownKeys(provider.GlobalOptions));
            foreach (var tree in context.Compilation.SyntaxTrees)
            {
                var options = provider.GetOptions(tree);
                if (seenOptions.Add(options))
                {
                    unknown.UnionWith(RoleOptions.UnknownKeys(options));
                }
            }

            foreach (var key in unknown)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnknownOptionKey, Location.None, key, RoleOptions.ClosestKey(key)));
            }
        }

        private sealed class ReferenceComparer : IEqualityComparer<AnalyzerConfigOptions>
        {
            internal static readonly ReferenceComparer Instance = new ReferenceComparer();

            public bool Equals(AnalyzerConfigOptions? x, AnalyzerConfigOptions? y) => ReferenceEquals(x, y);

            public int GetHashCode(AnalyzerConfigOptions obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }
    }
}
