using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method as an HVA-based path (like __kvm_handle_hva_range): every gfn range it passes on must be shared-only, since an HVA can never reach guest_memfd memory.
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// types and methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class HvaPathAttribute : Attribute
    {
    }
}
