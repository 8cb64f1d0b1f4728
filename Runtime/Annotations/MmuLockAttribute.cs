using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a field or property as kvm->mmu_lock.
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// types and methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class MmuLockAttribute : Attribute
    {
    }
}
