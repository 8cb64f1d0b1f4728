using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method that drops mmu_lock (KVM_MMU_UNLOCK).
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// types and methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class ReleasesMmuLockAttribute : Attribute
    {
    }
}
