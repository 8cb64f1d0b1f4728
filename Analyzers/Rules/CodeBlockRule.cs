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
                start.RegisterCodeBlockAction(block => Analyze(new MethodBody(block), roleContext));
            });
        }

        /// <summary>Checks one code block; reports through <paramref name="body"/>.</summary>
        private protected abstract void Analyze(MethodBody body, RoleContext roleContext);
    }
}
