using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method that returns the filter a guest_memfd file's invalidation must use (kvm_gmem_get_invalidate_filter).
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class GmemInvalidateFilterAttribute : Attribute
    {
    }
}
