using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using GfnGuard.Analyzers.Flow;
using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// KVM0002: inside an HVA-based path, every gfn range passed on to a call (a handler, a
    /// delegate) must be shared-only on every path reaching the call: OnlyShared definitely
    /// true and OnlyPrivate definitely false.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HvaRangeNotSharedOnlyAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the index of the argument that carries the range.</summary>
        public const string ArgumentIndexProperty = "ArgumentIndex";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.HvaRangeNotSharedOnly);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var roleContext = RoleContext.For(start.Compilation, start.Options);
                start.RegisterCodeBlockAction(block => AnalyzeBlock(new MethodBody(block), roleContext));
            });
        }

        internal static void AnalyzeBlock(MethodBody context, RoleContext roleContext)
        {
            if (!roleContext.Gate.MayBeAnHvaPath(context.Declaration))
            {
                return;
            }

            var roles = MethodFlowRunner.RolesFor(context, roleContext);
            if (roles.IsHvaPathMethod(context.OwningSymbol))
            {
                AnalyzeFlow(context, roles);
            }
        }

        // Apart from AnalyzeBlock, so that the closure its lambdas share is made only for a block
        // past the gate: C# makes a closure over a parameter when the method is entered.
        private static void AnalyzeFlow(MethodBody context, Roles.Roles roles) =>
            MethodFlowRunner.Analyze(context, roles, FlowFacts.Flags, root => PassesARange(root, roles), FlowState.Empty, FlowState.Empty, () => new Reporter(context, roles));

        /// <summary>The cheap test before any graph is built: does the body hand a gfn range to a call at all?</summary>
        private static bool PassesARange(IOperation root, Roles.Roles roles)
        {
            foreach (var invocation in MethodSummaries.InvocationsOutsideNestedFunctions(root))
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && roles.IsGfnRangeType(RangeType(parameter.Type)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static ITypeSymbol RangeType(ITypeSymbol type) => type is IPointerTypeSymbol pointer ? pointer.PointedAtType : type;

        private sealed class Reporter : FlowObserver
        {
            private readonly MethodBody _context;
            private readonly Roles.Roles _roles;
            private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

            internal Reporter(MethodBody context, Roles.Roles roles)
            {
                _context = context;
                _roles = roles;
            }

            internal override bool ObservesInvocations => true;

            internal override void OnInvocation(IInvocationOperation invocation, ImmutableArray<FlowLocation> argumentPlaces, FlowState state)
            {
                var effects = _roles.Summaries.FlagEffectsOf(invocation.TargetMethod);
                for (var i = 0; i < invocation.Arguments.Length; i++)
                {
                    var parameter = invocation.Arguments[i].Parameter;
                    if (parameter is null || !_roles.IsGfnRangeType(RangeType(parameter.Type)))
                    {
                        continue;
                    }

                    // A helper that sets the range's flags is building it, not consuming it.
                    if (effects?.ForParameter(parameter.Ordinal) is { IsNone: false })
                    {
                        continue;
                    }

                    var place = argumentPlaces[i];
                    var sharedOnly = place.IsValid
                        && state.Get(place.Member(OperationTransfer.FlagKey(FlagKind.OnlyShared))).IsDefinitelyTrue
                        && state.Get(place.Member(OperationTransfer.FlagKey(FlagKind.OnlyPrivate))).IsDefinitelyFalse;
                    if (sharedOnly || !_reported.Add(invocation.Syntax))
                    {
                        continue;
                    }

                    var properties = ImmutableDictionary<string, string?>.Empty.Add(ArgumentIndexProperty, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var callee = invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke ? invocation.TargetMethod.ContainingType.Name : invocation.TargetMethod.Name;
                    _context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.HvaRangeNotSharedOnly,
                        invocation.Syntax.GetLocation(),
                        additionalLocations: new[] { invocation.Arguments[i].Syntax.GetLocation() },
                        properties,
                        callee,
                        _context.OwningSymbol.Name));
                }
            }
        }
    }
}
