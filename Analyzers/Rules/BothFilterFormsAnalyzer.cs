using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0901: a gfn range type that carries both forms of the filter (SPEC 3a: the two bools of
    /// the 2023 series and upstream's attr_filter). "Both sides" is both bools false in one form
    /// and both bits set in the other, so the rules cannot read such a type one way; it is read in
    /// the attr_filter form, and this says so. Two types side by side, one per form, are fine.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BothFilterFormsAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.BothFilterForms);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var roleContext = RoleContext.For(start.Compilation, start.Options);

                // A type carries the attr_filter form only through a member or attribute some tree
                // spells: where none does (ordinary code), no per-type callback is registered.
                if (roleContext.Gate.AnyTreeMayZapAFilteredRange)
                {
                    start.RegisterSymbolAction(symbol => Analyze(symbol, roleContext), SymbolKind.NamedType);
                }
            });
        }

        private static void Analyze(SymbolAnalysisContext context, RoleContext roleContext)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            // The kernel's and the runtime's names first: most types spell neither and are done here.
            if (type.Locations.Length == 0 || type.Locations[0].SourceTree is not { } tree
                || SymbolRoles.FlagMember(type, FlagKind.OnlyPrivate) is not { } @private
                || SymbolRoles.FlagMember(type, FlagKind.OnlyShared) is not { } shared)
            {
                return;
            }

            var roles = roleContext.ForTree(tree).Roles;
            if (roles.IsGfnRangeType(type) && roles.FilterMember(type) is { } filter)
            {
                var location = filter.Locations.Length > 0 ? filter.Locations[0] : type.Locations[0];
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.BothFilterForms, location, type.Name, @private.Name, shared.Name, filter.Name));
            }
        }
    }
}
