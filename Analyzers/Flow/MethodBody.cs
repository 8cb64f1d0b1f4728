using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>
    /// One code block (a method, accessor, constructor or initializer) as the rules see it. The
    /// rules register code-block actions rather than operation-block actions, so a block whose
    /// syntax fails the <see cref="Gate.SyntaxGate"/> never has its operation tree built; a
    /// block that passes gets it here, and its control-flow graph once for all rules.
    /// </summary>
    internal readonly struct MethodBody
    {
        private static readonly ConditionalWeakTable<IOperation, System.Lazy<ControlFlowGraph?>> s_graphs =
            new ConditionalWeakTable<IOperation, System.Lazy<ControlFlowGraph?>>();

        private readonly CodeBlockAnalysisContext _context;

        // Set when the body's findings are gathered for a rule other than the one called (a run
        // shared by rules: see Rules.LockRuleRun); null to report through the context.
        private readonly System.Collections.Generic.List<Diagnostic>? _gathered;

        // Set when what is reported to the driver is also kept (see BodyResults).
        private readonly System.Collections.Generic.List<Diagnostic>? _recorded;

        internal MethodBody(CodeBlockAnalysisContext context)
            : this(context, null, null)
        {
        }

        private MethodBody(CodeBlockAnalysisContext context, System.Collections.Generic.List<Diagnostic>? gathered, System.Collections.Generic.List<Diagnostic>? recorded)
        {
            _context = context;
            _gathered = gathered;
            _recorded = recorded;
        }

        /// <summary>The same body, whose reports go into <paramref name="into"/> instead of to the driver.</summary>
        internal MethodBody GatheringInto(System.Collections.Generic.List<Diagnostic> into) => new MethodBody(_context, into, null);

        /// <summary>The same body, whose reports go to the driver and into <paramref name="into"/>.</summary>
        internal MethodBody RecordingInto(System.Collections.Generic.List<Diagnostic> into) => new MethodBody(_context, null, into);

        internal ISymbol OwningSymbol => _context.OwningSymbol;

        /// <summary>The declaration: its syntax is what the syntax gate reads.</summary>
        internal SyntaxNode Declaration => _context.CodeBlock;

        internal CancellationToken CancellationToken => _context.CancellationToken;

        internal void ReportDiagnostic(Diagnostic diagnostic)
        {
            if (_gathered is not null)
            {
                _gathered.Add(diagnostic);
            }
            else
            {
                _context.ReportDiagnostic(diagnostic);
                _recorded?.Add(diagnostic);
            }
        }

        /// <summary>The root operation a graph is built from, or null when the block has none (an expression-less declaration).</summary>
        internal IOperation? Root()
        {
            AnalysedBodies.NoteBound(_context.CodeBlock);
            return RootOf(_context.SemanticModel, _context.CodeBlock, CancellationToken);
        }

        /// <summary>The graph root of a code block, binding it: what <see cref="Root"/> asks Roslyn for (the benchmarks ask again).</summary>
        internal static IOperation? RootOf(SemanticModel model, SyntaxNode codeBlock, CancellationToken cancellationToken)
        {
            var operation = model.GetOperation(codeBlock, cancellationToken) ?? codeBlock switch
            {
                VariableDeclaratorSyntax { Initializer: { } initializer } => model.GetOperation(initializer, cancellationToken),
                PropertyDeclarationSyntax { Initializer: { } initializer } => model.GetOperation(initializer, cancellationToken),
                ParameterSyntax { Default: { } initializer } => model.GetOperation(initializer, cancellationToken),
                _ => null,
            };
            return operation is null ? null : MethodGraphs.GraphRoot(operation);
        }

        /// <summary>
        /// The block's graph, built once and shared by the rules (the operation tree, and so the
        /// root, is shared through the semantic model), or null for a root with no graph.
        /// </summary>
        internal ControlFlowGraph? Graph(IOperation root) => SharedGraph(root);

        /// <summary>
        /// The graph of a root, built once for everyone who asks: the rules for a block, and the
        /// summaries for a callee's body (the semantic model the driver gives analyzers is the one
        /// <c>Compilation.GetSemanticModel</c> returns to them, so both ask with the same root).
        /// </summary>
        internal static ControlFlowGraph? SharedGraph(IOperation root)
        {
            // Not the caller's token: a cancelled build would be cached for every later caller.
            var cancellationToken = CancellationToken.None;
            return s_graphs.GetValue(root, r => new System.Lazy<ControlFlowGraph?>(() => GraphOf(r, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        }

        /// <summary>Builds the graph of a root from <see cref="RootOf"/>, uncached, or null for a root with no graph.</summary>
        internal static ControlFlowGraph? GraphOf(IOperation root, CancellationToken cancellationToken) => root switch
        {
            IMethodBodyOperation method => ControlFlowGraph.Create(method, cancellationToken),
            IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, cancellationToken),
            IBlockOperation block => ControlFlowGraph.Create(block, cancellationToken),
            IFieldInitializerOperation field => ControlFlowGraph.Create(field, cancellationToken),
            IPropertyInitializerOperation property => ControlFlowGraph.Create(property, cancellationToken),
            IParameterInitializerOperation parameter => ControlFlowGraph.Create(parameter, cancellationToken),
            _ => null,
        };
    }
}
