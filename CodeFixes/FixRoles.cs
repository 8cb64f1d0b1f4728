using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using GfnGuard.Analyzers.Flow;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// The roles a fix asks about, read as the analyzers read them: the same catalogue, the
    /// .editorconfig names that apply to the document, and the same method summaries. A name a
    /// user configures reaches the fixes as it reaches the rules.
    /// </summary>
    internal static class FixRoles
    {
        internal static async Task<RoleView?> ForAsync(Document document, CancellationToken cancellationToken)
        {
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
            if (model is null || tree is null)
            {
                return null;
            }

            return RoleContext.For(model.Compilation, document.Project.AnalyzerOptions).ForTree(tree);
        }
    }
}
