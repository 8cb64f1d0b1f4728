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
    /// KVM0001: a gfn range must never have OnlyPrivate and OnlyShared both true. Reported on the
    /// store that makes the second flag true on some path where the first may already be true.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class BothFlagsSetAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the flag the reported store sets.</summary>
        public const string FlagProperty = "Flag";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.BothFlagsSet);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var roleContext = RoleContext.Create(start.Compilation);
                start.RegisterOperationBlockAction(block => AnalyzeBlock(block, roleContext));
            });
        }

        private static void AnalyzeBlock(OperationBlockAnalysisContext context, RoleContext roleContext)
        {
            var roles = roleContext.ForTree(context.OwningSymbol.Locations.Length > 0 && context.OwningSymbol.Locations[0].SourceTree is { } tree
                ? tree
                : context.OperationBlocks[0].Syntax.SyntaxTree, context.Options);

            var seen = new HashSet<IOperation>();
            foreach (var block in context.OperationBlocks)
            {
                if (MethodGraphs.GraphRoot(block) is not { } root || !seen.Add(root) || !SetsAFlag(root, roles))
                {
                    continue;
                }

                var graph = context.GetControlFlowGraph(block);
                foreach (var function in MethodGraphs.WithNested(graph, context.CancellationToken))
                {
                    var reporter = new Reporter(context);
                    ForwardDataflow.Run(function, FlowState.Empty, new OperationTransfer(roles, reporter), context.CancellationToken);
                }
            }
        }

        /// <summary>The cheap test that keeps methods with no gfn range flag store away from graph building.</summary>
        private static bool SetsAFlag(IOperation block, Roles.Roles roles)
        {
            foreach (var operation in block.Descendants())
            {
                switch (operation)
                {
                    case IMemberReferenceOperation member when roles.TryGetFlag(member.Member, out _):
                        return true;
                    case IArgumentOperation { Parameter: { } parameter } argument
                        when Roles.Roles.TryGetFlagParameter(parameter, out _)
                            && argument.Parent is IObjectCreationOperation creation
                            && roles.IsGfnRangeType(creation.Type):
                        return true;
                }
            }

            return false;
        }

        private sealed class Reporter : FlowObserver
        {
            private readonly OperationBlockAnalysisContext _context;
            private readonly HashSet<SyntaxNode> _reported = new HashSet<SyntaxNode>();

            internal Reporter(OperationBlockAnalysisContext context)
            {
                _context = context;
            }

            internal override void OnFlagAssigned(in FlagAssignment assignment)
            {
                if (!assignment.Assigned.MayBeTrue || !assignment.Other.MayBeTrue || !_reported.Add(assignment.ReportNode))
                {
                    return;
                }

                // Additional locations: [0] the value this store writes, then where the other flag was made true.
                var additional = new List<Location> { assignment.ValueNode.GetLocation() };
                foreach (var site in assignment.Other.TrueSites)
                {
                    additional.Add(site.GetLocation());
                }

                var properties = ImmutableDictionary<string, string?>.Empty.Add(FlagProperty, assignment.Flag.DisplayName());
                _context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.BothFlagsSet,
                    assignment.ReportNode.GetLocation(),
                    additional,
                    properties,
                    assignment.Flag.DisplayName(),
                    assignment.Flag.Other().DisplayName()));
            }
        }
    }
}
