using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method that zaps SPTEs and returns whether the remote TLBs must be flushed (kvm_unmap_gfn_range): the flush it asks for must run before mmu_lock is released.
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class ZapsSptesAttribute : Attribute
    {
    }
}
