using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A test of a value says what every flag that holds the same value holds on each side (SPEC 2:
/// an unknown keeps where it came from, and `x` and `!x` exclude each other): a range built with
/// <c>only_shared = !priv, only_private = priv</c> is shared-only past <c>if (priv) return;</c>, and
/// on the true side of <c>if (shared)</c> or <c>r is { only_shared: true }</c>. Each was reported as
/// not definitely shared-only. A test of another value says nothing of the flags.
/// </summary>
public sealed class TestedValueTests
{
    private static string Port(string body) => "using static Kernel;\n" + KernelPort.Declarations + "\n" + body;

    [Fact]
    public Task ATestOfTheValueAFlagHolds_NarrowsTheFlags() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static bool probe(kvm kvm) => kvm.GetHashCode() > 3;

            static void kvm_mmu_notifier_guarded(kvm kvm, gfn_handler_t handler)
            {
                var priv = probe(kvm);
                var range = new kvm_gfn_range { only_shared = !priv, only_private = priv };
                if (priv)
                    return;
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_tested(kvm kvm, gfn_handler_t handler)
            {
                var shared = probe(kvm);
                var range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                if (shared)
                    handler(kvm, ref range);
                else
                    {|KVM0002:handler(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_flag_tested(kvm kvm, gfn_handler_t handler)
            {
                var shared = probe(kvm);
                var range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                if (!range.only_shared)
                    return;
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_pattern(kvm kvm, gfn_handler_t handler)
            {
                var shared = probe(kvm);
                var range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                if (range is { only_shared: true })
                    handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_parameter(kvm kvm, gfn_handler_t handler, bool priv)
            {
                var range = new kvm_gfn_range { only_shared = !priv, only_private = priv };
                if (!priv)
                    handler(kvm, ref range);
            }
        }
        """));

    [Fact]
    public Task ATestOfAnotherValue_SaysNothingOfTheFlags() => HvaShared.VerifyAsync(Port("""
        static class Notifier
        {
            static bool probe(kvm kvm) => kvm.GetHashCode() > 3;

            static void kvm_mmu_notifier_other(kvm kvm, gfn_handler_t handler)
            {
                var shared = probe(kvm);
                var other = probe(kvm);
                var range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                if (other)
                    {|KVM0002:handler(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_private_side(kvm kvm, gfn_handler_t handler)
            {
                var priv = probe(kvm);
                var range = new kvm_gfn_range { only_shared = !priv, only_private = priv };
                if (priv)
                    {|KVM0002:handler(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_independent(kvm kvm, gfn_handler_t handler, bool a, bool b)
            {
                var range = new kvm_gfn_range { only_shared = a, only_private = b };
                if (a)
                    {|KVM0002:handler(kvm, ref range)|};
            }
        }
        """));

    [Fact]
    public Task TwoFlagsFromIndependentValues_CanStillBothBeTrue() => BothFlags.VerifyAsync(Port("""
        static class Notifier
        {
            static void set(bool a, bool b)
            {
                var range = new kvm_gfn_range();
                range.only_shared = a;
                if (a)
                    {|KVM0001:range.only_private = b|};
                if (b)
                    range.only_shared = !b;
            }
        }
        """));
}
