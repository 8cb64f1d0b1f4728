using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method as a guest_memfd path (like kvm_gmem_invalidate_begin): every gfn range it
    /// passes on must be private-only, since guest_memfd invalidates private memory (KVM0005).
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class GmemPathAttribute : Attribute
    {
    }
}
