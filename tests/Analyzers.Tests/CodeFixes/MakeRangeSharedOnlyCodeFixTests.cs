using System.Threading.Tasks;
using GfnGuard.CodeFixes;
using GfnGuard.Analyzers.Tests.Rules;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer, GfnGuard.CodeFixes.MakeRangeSharedOnlyCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>KVM0002's fix: make the range shared-only where it is built, or just before the call.</summary>
public sealed class MakeRangeSharedOnlyCodeFixTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    private static Task VerifyFix(string source, string fixedSource) =>
        Verify.VerifyFixAsync(Prelude + source, Prelude + fixedSource, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey);

    /// <summary>
    /// A flag the initializer takes from a call: replacing it there would no longer run the call,
    /// so the flags are set just before the handler call instead, and the call still runs.
    /// </summary>
    [Fact]
    public Task AnInitializerFlagFromACall_IsSetBeforeTheHandlerCall_TheCallStays() => VerifyFix("""
        static class KvmMain
        {
            static int probes;
            static bool probe(kvm kvm) { probes++; return true; }

            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range { start = range.start, only_private = probe(kvm) };
                return {|KVM0002:range.handler(kvm, ref gfn_range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static int probes;
            static bool probe(kvm kvm) { probes++; return true; }

            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range { start = range.start, only_private = probe(kvm) };
                gfn_range.only_private = false;
                gfn_range.only_shared = true;
                return range.handler(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task BuiltByAnInitializer_TheInitializerGetsTheFilter() => VerifyFix("""
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range { start = range.start, end = range.end, only_private = true };
                return {|KVM0002:range.handler(kvm, ref gfn_range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range { start = range.start, end = range.end, only_private = false, only_shared = true };
                return range.handler(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task MultiLineInitializer_KeepsOneMemberPerLine() => VerifyFix("""
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range
                {
                    start = range.start,
                    end = range.end,
                };
                return {|KVM0002:range.handler(kvm, ref gfn_range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range
                {
                    start = range.start,
                    end = range.end,
                    only_private = false,
                    only_shared = true,
                };
                return range.handler(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task BuiltElsewhere_AssignmentsGoJustBeforeTheCall() => VerifyFix("""
        static class KvmMain
        {
            static void kvm_handle_hva_range(kvm kvm, kvm_gfn_range template, gfn_handler_t handler)
            {
                var gfn_range = template;
                gfn_range.may_block = false;
                {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static void kvm_handle_hva_range(kvm kvm, kvm_gfn_range template, gfn_handler_t handler)
            {
                var gfn_range = template;
                gfn_range.may_block = false;
                gfn_range.only_private = false;
                gfn_range.only_shared = true;
                handler(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task EmbeddedStatement_IsWrappedInABlock() => VerifyFix("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_clear_young(kvm kvm, kvm_gfn_range range, bool young)
            {
                if (young)
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static void kvm_mmu_notifier_clear_young(kvm kvm, kvm_gfn_range range, bool young)
            {
                if (young)
                {
                    range.only_private = false;
                    range.only_shared = true;
                    kvm_unmap_gfn_range(kvm, ref range);
                }
            }
        }
        """);

    [Fact]
    public Task FixAll_FixesEveryCallInTheDocument() => VerifyFix("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_release(kvm kvm, bool both)
            {
                var first = new kvm_gfn_range { start = 0, end = 1 };
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref first)|};
                var second = new kvm_gfn_range { start = 1, end = 2 };
                if (both)
                    second.only_private = true;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref second)|};
            }
        }
        """, """
        static class KvmMain
        {
            static void kvm_mmu_notifier_release(kvm kvm, bool both)
            {
                var first = new kvm_gfn_range { start = 0, end = 1, only_private = false, only_shared = true };
                kvm_unmap_gfn_range(kvm, ref first);
                var second = new kvm_gfn_range { start = 1, end = 2 };
                if (both)
                    second.only_private = true;
                second.only_private = false;
                second.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref second);
            }
        }
        """);

    /// <summary>
    /// Two reports of one range: fixing the first makes the range shared-only at the second too,
    /// so Fix All sets the flags once, as fixing one report at a time does.
    /// </summary>
    [Fact]
    public Task FixAll_OfTwoCallsOfOneRange_SetsTheFlagsOnce() => VerifyFix("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_release(kvm kvm, bool both)
            {
                var range = new kvm_gfn_range { start = 0, end = 1 };
                if (both)
                    range.only_private = true;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, """
        static class KvmMain
        {
            static void kvm_mmu_notifier_release(kvm kvm, bool both)
            {
                var range = new kvm_gfn_range { start = 0, end = 1 };
                if (both)
                    range.only_private = true;
                range.only_private = false;
                range.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref range);
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    [Fact]
    public Task InitOnlyRecord_GetsAWithExpression() => Verify.VerifyFixAsync("""
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate = false, bool OnlyShared = false);
        static class Sim
        {
            static void Handle(KvmGfnRange range) { }
            static void kvm_mmu_notifier_invalidate_range_start(KvmGfnRange range)
            {
                {|KVM0002:Handle(range)|};
            }
        }
        """, """
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate = false, bool OnlyShared = false);
        static class Sim
        {
            static void Handle(KvmGfnRange range) { }
            static void kvm_mmu_notifier_invalidate_range_start(KvmGfnRange range)
            {
                range = range with { OnlyPrivate = false, OnlyShared = true };
                Handle(range);
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task UnassignableArgument_OffersNoFix() => Verify.VerifyNoFixAsync(Prelude + """
        static class KvmMain
        {
            static kvm_gfn_range next() => default;
            static void Handle(kvm_gfn_range range) { }
            static void kvm_mmu_notifier_change_pte(kvm kvm)
            {
                {|KVM0002:Handle(next())|};
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey);

    /// <summary>
    /// A call in an expression-bodied lambda has no statement of its own: the statement further out
    /// runs before the lambda, where its parameter is not in scope (the fix did not compile).
    /// </summary>
    [Fact]
    public Task ACallInAnExpressionLambda_OffersNoFix() => Verify.VerifyNoFixAsync(Prelude + """
        static class KvmMain
        {
            static void kvm_mmu_notifier_for_each(kvm kvm, System.Collections.Generic.List<kvm_gfn_range> ranges)
            {
                var first = new kvm_gfn_range { only_shared = true };
                kvm_unmap_gfn_range(kvm, ref first);
                ranges.ForEach(range => {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|});
            }
        }
        """, MakeRangeSharedOnlyCodeFixProvider.EquivalenceKey);
}
