using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks a port's own type as struct kvm_gfn_range: its OnlyPrivate/OnlyShared (or only_private/only_shared) bool members are the range's filter flags.
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// types and methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
    public sealed class GfnRangeAttribute : Attribute
    {
    }
}
