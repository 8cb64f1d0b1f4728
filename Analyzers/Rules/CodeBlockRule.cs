using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using GfnGuard.Analyzers.Flow;

namespace GfnGuard.Analyzers.Rules
{
    /// <summary>
    /// What every GfnGuard rule registers: concurrent execution, no generated code, and one
    /// code-block action per method body, asked with the compilation's shared
    /// <see cref="RoleContext"/>. Code-block actions rather than operation-block actions, so a
    /// block the syntax gate turns away never has its operation tree built (see <see cref="MethodBody"/>).
    /// </summary>
    public abstract class CodeBlockRule : DiagnosticAnalyzer
    {
        private protected CodeBlockRule()
        {
        }

        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var roleContext = RoleContext.For(start.Compilation, start.Options);
                // A compilation in which no tree can break this rule (ordinary code) gets no
                // per-block action at all: the driver's cost of calling one per block is most of
                // what the rules cost on real code that plays no KVM role.
                if (MayApplyTo(roleContext.Gate))
                {
                    var slot = BodyResults.SlotOf(SupportedDiagnostics[0].Id);
                    start.RegisterCodeBlockAction(block => AnalyzeOrReuse(new MethodBody(block), roleContext, slot));
                }
            });
        }

        /// <summary>
        /// Reports what this rule found in the body in the compilation before, when the edit
        /// between them cannot have changed it (an IDE's keystroke); otherwise analyses it, and
        /// keeps what it found for the next compilation where one may reuse it.
        /// </summary>
        private void AnalyzeOrReuse(MethodBody body, RoleContext roleContext, int slot)
        {
            var results = roleContext.Results;
            if (slot < 0 || !results.Records)
            {
                Analyze(body, roleContext);
                return;
            }

            if (results.TryReport(slot, body))
            {
                return;
            }

            var found = new System.Collections.Generic.List<Diagnostic>();
            Analyze(body.RecordingInto(found), roleContext);
            if (!body.CancellationToken.IsCancellationRequested)
            {
                results.Record(slot, body.Declaration, found);
            }
        }

        /// <summary>Could any tree of the compilation break this rule? The gate's per-tree answers, asked of every tree once.</summary>
        private protected abstract bool MayApplyTo(Gate.SyntaxGate gate);

        /// <summary>Checks one code block; reports through <paramref name="body"/>.</summary>
        private protected abstract void Analyze(MethodBody body, RoleContext roleContext);
    }
}
