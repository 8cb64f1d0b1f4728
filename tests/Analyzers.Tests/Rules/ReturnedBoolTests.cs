using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A flag set from a bool helper of the compilation (SPEC 2: a value the method cannot see may be
/// either; a helper's result is one it can see): <c>only_shared = hva_is_shared()</c>,
/// <c>only_private = side(false)</c>. Each was an unknown, so a correct HVA path got KVM0002 and
/// two such flags a KVM0001. A helper whose result the compilation cannot know is still either
/// value, and two calls of it are two values.
/// </summary>
public sealed class ReturnedBoolTests
{
    private static string Port(string body) => "using static Kernel;\n" + KernelPort.Declarations + "\n" + body;

    [Fact]
    public Task ConstantHelpers_SetTheirValue() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static bool hva_is_shared() => true;
            static bool hva_is_private() { return false; }

            static void kvm_mmu_notifier_initializer(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = hva_is_shared(), only_private = hva_is_private() };
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_through_locals(kvm kvm, gfn_handler_t handler)
            {
                var shared = hva_is_shared();
                kvm_gfn_range range = default;
                range.only_shared = shared;
                range.only_private = !shared;
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_wrong_side(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = hva_is_private(), only_private = hva_is_shared() };
                {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """));

    [Fact]
    public Task AHelperOfItsArguments_IsBoundAtEachCall() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static bool side(bool shared) => shared;
            static bool not(bool b) { if (b) return false; return true; }
            static bool pick(kvm kvm, bool shared) => shared && kvm != null || shared;

            static void kvm_mmu_notifier_bound(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = side(true), only_private = not(true) };
                handler(kvm, ref range);
                range.only_shared = side(false);
                {|KVM0002:handler(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_decided(kvm kvm, gfn_handler_t handler, bool p)
            {
                var range = new kvm_gfn_range { only_shared = pick(kvm, true), only_private = not(true) };
                handler(kvm, ref range);
                range.only_shared = side(p);
                {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """));

    /// <summary>A branch on such a helper takes the side its result picks, as a branch on a local holding it does.</summary>
    [Fact]
    public Task ABranchOnAKnownHelper_TakesTheSideItPicks() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static bool hva_is_shared() => true;
            static bool has_private(kvm kvm) => false;

            static void kvm_mmu_notifier_if(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range();
                if (hva_is_shared())
                {
                    range.only_shared = true;
                    range.only_private = false;
                }
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_conditional(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = !has_private(kvm) ? true : false };
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_wrong(kvm kvm, gfn_handler_t handler)
            {
                var range = new kvm_gfn_range { only_shared = true };
                if (!has_private(kvm))
                    range.only_shared = false;
                {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """));

    /// <summary>A local function that returns its method's parameter returns what the parameter holds where it is called.</summary>
    [Fact]
    public Task ALocalFunctionOfACapturedParameter_IsBoundWhereItIsCalled() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static void kvm_mmu_notifier_captured(kvm kvm, gfn_handler_t handler, bool shared)
            {
                bool side() => shared;
                var range = new kvm_gfn_range { only_shared = side(), only_private = !side() };
                if (shared)
                    handler(kvm, ref range);
                shared = false;
                range.only_shared = side();
                {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """));

    [Fact]
    public Task AHelperWhoseResultIsUnknown_StaysEither_AndTwoCallsAreTwoValues() => BothFlags.VerifyAsync(Port("""
        static class Notifier
        {
            static bool probe(kvm kvm) => kvm.mmu_lock.GetHashCode() % 2 == 0;
            static bool yes() => true;

            static void independent(kvm kvm)
            {
                var range = new kvm_gfn_range();
                range.only_shared = probe(kvm);
                {|KVM0001:range.only_private = !probe(kvm)|};
            }

            static void both_true(kvm kvm)
            {
                var range = new kvm_gfn_range { only_shared = yes() };
                {|KVM0001:range.only_private = yes()|};
            }

            static void exclusive(kvm kvm)
            {
                var p = probe(kvm);
                var range = new kvm_gfn_range { only_shared = p, only_private = !p };
            }
        }
        """));

    [Fact]
    public Task AGmemPathsHelper_IsFollowedToo() => GmemPrivate.VerifyAsync(Port("""
        static class GuestMemfd
        {
            static bool gmem_is_private() => true;

            static void kvm_gmem_invalidate_begin(kvm kvm, gfn_handler_t handler, ulong start, ulong end)
            {
                var range = new kvm_gfn_range { start = start, end = end, only_private = gmem_is_private(), only_shared = !gmem_is_private() };
                handler(kvm, ref range);
                range.only_private = !gmem_is_private();
                {|KVM0005:handler(kvm, ref range)|};
            }
        }
        """));
}
