using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer, GfnGuard.CodeFixes.BothFlagsSetCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>KVM0001's three fixes, each one at a time and through Fix All.</summary>
public sealed class BothFlagsSetCodeFixTests
{
    private const string TwoBadRanges = """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange A() => new KvmGfnRange { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };

            KvmGfnRange B()
            {
                var r = new KvmGfnRange();
                r.OnlyShared = true;
                {|KVM0001:r.OnlyPrivate = true|};
                return r;
            }
        }
        """;

    /// <summary>A value that runs something (`ready && Probe()`) is not rewritten: the fix that would clear it is not offered, the other one is.</summary>
    [Fact]
    public Task AFlagValueThatRunsACall_IsNotClearedByRewritingIt() => Verify.VerifyFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            static bool Probe() => true;
            KvmGfnRange A(bool ready) => new KvmGfnRange { OnlyShared = true, {|KVM0001:OnlyPrivate = ready && Probe()|} };
        }
        """, """
        using GfnGuard.Runtime;
        class C
        {
            static bool Probe() => true;
            KvmGfnRange A(bool ready) => new KvmGfnRange { OnlyShared = true, {|KVM0001:OnlyPrivate = ready && Probe()|} };
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task KeepOnlyShared_FixAll() => Verify.VerifyFixAsync(TwoBadRanges, """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange A() => new KvmGfnRange { OnlyPrivate = false, OnlyShared = true };

            KvmGfnRange B()
            {
                var r = new KvmGfnRange();
                r.OnlyShared = true;
                r.OnlyPrivate = false;
                return r;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task KeepOnlyPrivate_FixAll() => Verify.VerifyFixAsync(TwoBadRanges, """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange A() => new KvmGfnRange { OnlyPrivate = true, OnlyShared = false };

            KvmGfnRange B()
            {
                var r = new KvmGfnRange();
                r.OnlyShared = false;
                r.OnlyPrivate = true;
                return r;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlyPrivateKey);

    [Fact]
    public Task ClearBoth_FixAll() => Verify.VerifyFixAsync(TwoBadRanges, """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange A() => new KvmGfnRange { OnlyPrivate = false, OnlyShared = false };

            KvmGfnRange B()
            {
                var r = new KvmGfnRange();
                r.OnlyShared = false;
                r.OnlyPrivate = false;
                return r;
            }
        }
        """, BothFlagsSetCodeFixProvider.ClearBothKey);

    [Fact]
    public Task KeepOnlyShared_ClearsEveryBranchThatSetPrivate() => Verify.VerifyFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(int source)
            {
                var range = new KvmGfnRange();
                if (source == 0) range.OnlyPrivate = true;
                else if (source == 1) range.OnlyPrivate = true;
                {|KVM0001:range.OnlyShared = true|};
                return range;
            }
        }
        """, """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(int source)
            {
                var range = new KvmGfnRange();
                if (source == 0) range.OnlyPrivate = false;
                else if (source == 1) range.OnlyPrivate = false;
                range.OnlyShared = true;
                return range;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task PositionalRecordArgument_IsRewritten() => Verify.VerifyFixAsync("""
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared);
        class C
        {
            KvmGfnRange M() => new KvmGfnRange(0, 1, OnlyPrivate: true, {|KVM0001:OnlyShared: true|});
        }
        """, """
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared);
        class C
        {
            KvmGfnRange M() => new KvmGfnRange(0, 1, OnlyPrivate: false, OnlyShared: true);
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task WithMember_IsRewritten() => Verify.VerifyFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(KvmGfnRange shared) => (shared with { OnlyShared = true }) with { {|KVM0001:OnlyPrivate = true|} };
        }
        """, """
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(KvmGfnRange shared) => (shared with { OnlyShared = true }) with { OnlyPrivate = false };
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task CompoundStore_BecomesPlainStoreOfFalse() => Verify.VerifyFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                {|KVM0001:r.OnlyShared |= true|};
            }
        }
        """, """
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                r.OnlyShared = false;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlyPrivateKey);

    [Fact]
    public Task KernelNames_KeepTriviaAndComments() => Verify.VerifyFixAsync("""
        struct kvm_gfn_range { public bool only_private; public bool only_shared; }
        class C
        {
            void M()
            {
                kvm_gfn_range gfn_range = default;
                gfn_range.only_private = /* gmem */ true;
                {|KVM0001:gfn_range.only_shared = true|}; // HVA event
            }
        }
        """, """
        struct kvm_gfn_range { public bool only_private; public bool only_shared; }
        class C
        {
            void M()
            {
                kvm_gfn_range gfn_range = default;
                gfn_range.only_private = /* gmem */ false;
                gfn_range.only_shared = true; // HVA event
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task UnknownFirstStore_OffersNoFixThatNeedsIt() => Verify.VerifyNoFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(ref KvmGfnRange range)
            {
                if (range.OnlyPrivate)
                    {|KVM0001:range.OnlyShared = true|};
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task UnknownFirstStore_KeepOnlyPrivateStillWorks() => Verify.VerifyFixAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(ref KvmGfnRange range)
            {
                if (range.OnlyPrivate)
                    {|KVM0001:range.OnlyShared = true|};
            }
        }
        """, """
        using GfnGuard.Runtime;
        class C
        {
            void M(ref KvmGfnRange range)
            {
                if (range.OnlyPrivate)
                    range.OnlyShared = false;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlyPrivateKey);

    private const string HelperSetsShared = """
        using GfnGuard.Runtime;
        static class C
        {
            static void MarkShared(ref KvmGfnRange range) { range.OnlyShared = true; }
            static KvmGfnRange M()
            {
                var range = new KvmGfnRange { OnlyPrivate = true };
                {|KVM0001:MarkShared(ref range)|};
                return range;
            }
        }
        """;

    [Fact]
    public Task FlagSetByAHelper_KeepThatFlag_ClearsTheOtherStore() => Verify.VerifyFixAsync(HelperSetsShared, """
        using GfnGuard.Runtime;
        static class C
        {
            static void MarkShared(ref KvmGfnRange range) { range.OnlyShared = true; }
            static KvmGfnRange M()
            {
                var range = new KvmGfnRange { OnlyPrivate = false };
                MarkShared(ref range);
                return range;
            }
        }
        """, BothFlagsSetCodeFixProvider.KeepOnlySharedKey);

    [Fact]
    public Task FlagSetByAHelper_NoFixRewritesTheCall() => Verify.VerifyNoFixAsync(HelperSetsShared, BothFlagsSetCodeFixProvider.KeepOnlyPrivateKey);

    /// <summary>
    /// The first fix (what dotnet format applies) fits the path (SPEC section 4): keeping only
    /// OnlyShared on a guest_memfd punch-hole would silently stop zapping the private mappings
    /// of the pages it frees.
    /// </summary>
    [Theory]
    [InlineData("kvm_gmem_punch_hole", "OnlyPrivate = true, OnlyShared = false")]
    [InlineData("kvm_mmu_notifier_invalidate_range_start", "OnlyPrivate = false, OnlyShared = true")]
    [InlineData("kvm_arch_pre_set_memory_attributes", "OnlyPrivate = false, OnlyShared = false")]
    public Task TheFirstFix_FitsThePath(string method, string kept) => Verify.VerifyFirstFixAsync($$"""
        using GfnGuard.Runtime;
        static class C
        {
            static KvmGfnRange {{method}}() => new KvmGfnRange { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """, $$"""
        using GfnGuard.Runtime;
        static class C
        {
            static KvmGfnRange {{method}}() => new KvmGfnRange { {{kept}} };
        }
        """);
}
