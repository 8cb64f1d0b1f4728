namespace GfnGuard.Analyzers
{
    /// <summary>Every diagnostic id GfnGuard reports, in the order of SPEC section 2.</summary>
    public static class DiagnosticIds
    {
        /// <summary>A gfn range has both <c>OnlyPrivate</c> and <c>OnlyShared</c> set.</summary>
        public const string BothFlagsSet = "KVM0001";
    }
}
