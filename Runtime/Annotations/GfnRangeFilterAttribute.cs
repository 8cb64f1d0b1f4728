using System;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Marks the field or property of a gfn range type that holds upstream's attr_filter (enum kvm_gfn_range_filter).
    /// </summary>
    /// <remarks>
    /// Not [Conditional]: the attribute must stay in metadata so that the analyzers see it on
    /// methods of referenced assemblies. A port may declare its own copy with the same name.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class GfnRangeFilterAttribute : Attribute
    {
    }
}
