using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace GfnGuard.CodeFixes
{
    /// <summary>
    /// How a fixer with one fix per diagnostic registers it: the fix is computed once, and
    /// offered only when it can be made (the changed document is what the action applies).
    /// </summary>
    internal static class FixRegistration
    {
        internal static async Task RegisterAsync(CodeFixContext context, string title, string equivalenceKey, SequentialFixAll.FixOne fix)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var document = context.Document;
                var node = await SequentialFixAll.ReportedNodeAsync(document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null || await fix(document, node, diagnostic, context.CancellationToken).ConfigureAwait(false) is not { } changed)
                {
                    continue;
                }

                context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(changed), equivalenceKey), diagnostic);
            }
        }
    }
}
