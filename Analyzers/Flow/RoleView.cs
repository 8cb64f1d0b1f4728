using GfnGuard.Analyzers.Roles;

namespace GfnGuard.Analyzers.Flow
{
    /// <summary>The roles under one set of .editorconfig names, with the method summaries computed under them.</summary>
    internal sealed class RoleView
    {
        internal RoleView(SymbolRoles roles, MethodSummaries summaries)
        {
            Roles = roles;
            Summaries = summaries;
        }

        internal SymbolRoles Roles { get; }

        internal MethodSummaries Summaries { get; }
    }
}
