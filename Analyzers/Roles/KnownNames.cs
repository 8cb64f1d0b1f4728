using System.Collections.Immutable;

namespace GfnGuard.Analyzers.Roles
{
    /// <summary>
    /// The names by which a port's code plays a KVM role (SPEC section 3). Kept as data in one
    /// place; a user adds more through the <c>gfnguard.*</c> .editorconfig options.
    /// </summary>
    internal static class KnownNames
    {
        /// <summary>The runtime's own gfn range type.</summary>
        internal const string RuntimeGfnRangeType = "GfnGuard.Runtime.KvmGfnRange";

        /// <summary>struct kvm_gfn_range, as ports name it.</summary>
        internal static readonly ImmutableHashSet<string> GfnRangeTypes =
            ImmutableHashSet.Create("kvm_gfn_range", "KvmGfnRange");

        internal const string GfnRangeAttribute = "GfnRangeAttribute";

        /// <summary>kvm_gfn_range.only_private.</summary>
        internal static readonly ImmutableHashSet<string> OnlyPrivateMembers =
            ImmutableHashSet.Create("only_private", "OnlyPrivate");

        /// <summary>kvm_gfn_range.only_shared.</summary>
        internal static readonly ImmutableHashSet<string> OnlySharedMembers =
            ImmutableHashSet.Create("only_shared", "OnlyShared");
    }
}
