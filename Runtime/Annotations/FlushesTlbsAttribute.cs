using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method that flushes the remote TLBs of a VM (kvm_flush_remote_tlbs).
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class FlushesTlbsAttribute : Attribute
    {
    }
}
