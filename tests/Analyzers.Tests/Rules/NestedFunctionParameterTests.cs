using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// SPEC 2: "an unknown keeps its origin, so x and !x exclude each other", and "a flag taken from
/// the method's own parameter is followed into its callers". A lambda's or local function's own
/// parameter is read the same way: one unknown at every read, and for a local function that the
/// body only calls, the value its calls give. Before, each read of such a parameter was an
/// unknown of its own, so `only_shared = shared, only_private = !shared` in a local function was
/// a KVM0001 at Error, and `zap(true)` on an HVA path a KVM0002.
/// </summary>
public sealed class NestedFunctionParameterTests
{
    private static Task VerifyBoth(string body) =>
        BothFlags.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    private static Task VerifyHva(string body) =>
        HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    private static Task VerifyGmem(string body) =>
        GmemPrivate.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    [Fact]
    public Task AParameterAndItsNegation_ExcludeEachOther_InANestedFunction() => VerifyBoth("""
        static class Mmu
        {
            static void local_function(kvm kvm)
            {
                void zap(bool shared) { var r = new kvm_gfn_range { only_shared = shared, only_private = !shared }; kvm_unmap_gfn_range(kvm, ref r); }
            }

            static void lambda_held_in_a_list(kvm kvm, System.Collections.Generic.List<System.Action<bool>> later)
            {
                later.Add(shared => { var r = new kvm_gfn_range(); r.only_shared = shared; r.only_private = !shared; kvm_unmap_gfn_range(kvm, ref r); });
            }
        }
        """);

    [Fact]
    public Task TwoIndependentParameters_AreCheckedAtTheCalls_OfALocalFunctionTheBodyOnlyCalls() => VerifyBoth("""
        static class Mmu
        {
            static void called_with_one_side(kvm kvm)
            {
                void zap(bool s, bool p) { var r = new kvm_gfn_range { only_shared = s, only_private = p }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true, false);
                zap(false, true);
            }

            static void called_with_both(kvm kvm)
            {
                void zap(bool s, bool p) { var r = new kvm_gfn_range { only_shared = s, only_private = p }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true, false);
                {|KVM0001:zap(true, true)|};
            }

            static System.Action<bool, bool> handed_on(kvm kvm)
            {
                void zap(bool s, bool p) { var r = new kvm_gfn_range { only_shared = s, {|KVM0001:only_private = p|} }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true, false);
                return zap;
            }

            static System.Action<bool, bool> a_lambda(kvm kvm) =>
                (s, p) => { var r = new kvm_gfn_range { only_shared = s, {|KVM0001:only_private = p|} }; kvm_unmap_gfn_range(kvm, ref r); };
        }
        """);

    [Fact]
    public Task ALocalFunctionsSideParameter_IsTheSideItsCallsGive_OnAnHvaPath() => VerifyHva("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_shared(kvm kvm)
            {
                void zap(bool shared) { var r = new kvm_gfn_range { only_shared = shared, only_private = !shared }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true);
            }

            static void kvm_mmu_notifier_private(kvm kvm)
            {
                void zap(bool shared) { var r = new kvm_gfn_range { only_shared = shared, only_private = !shared }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true);
                {|KVM0002:zap(false)|};
            }

            static void kvm_mmu_notifier_from_the_outer_parameter(kvm kvm, bool shared)
            {
                void zap(bool s) { var r = new kvm_gfn_range { only_shared = s, only_private = !s }; kvm_unmap_gfn_range(kvm, ref r); }
                {|KVM0002:zap(shared)|};
            }

            static void kvm_mmu_notifier_handed_on(kvm kvm, System.Collections.Generic.List<System.Action<bool>> later)
            {
                void zap(bool shared) { var r = new kvm_gfn_range { only_shared = shared, only_private = !shared }; {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|}; }
                zap(true);
                later.Add(zap);
            }
        }
        """);

    [Fact]
    public Task ALocalFunctionsSideParameter_IsTheSideItsCallsGive_OnAGuestMemfdPath() => VerifyGmem("""
        static class Gmem
        {
            static void kvm_gmem_invalidate_begin(kvm kvm)
            {
                void zap(bool priv) { var r = new kvm_gfn_range { only_private = priv, only_shared = !priv }; kvm_unmap_gfn_range(kvm, ref r); }
                zap(true);
                {|KVM0005:zap(false)|};
            }
        }
        """);
}
