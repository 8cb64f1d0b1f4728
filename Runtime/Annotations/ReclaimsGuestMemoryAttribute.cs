using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a method that reclaims guest memory (kvm_arch_guest_memory_reclaimed): it may flush caches on every CPU and must never run under mmu_lock.
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// types and methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class ReclaimsGuestMemoryAttribute : Attribute
    {
    }
}
