using System.Threading.Tasks;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// SPEC 2: a value the method cannot see may be true or false; a static readonly range of a
/// struct type is one it can see, since nothing changes it after its type is initialised. A port
/// that builds its notifier ranges from a template (`static readonly kvm_gfn_range SharedTemplate =
/// new() { only_shared = true };` then `SharedTemplate with { start = s, end = e }`) got a KVM0002
/// at Error on every use. A template that may change (not readonly, a class, a type with its own
/// static constructor) is still a value the method cannot see.
/// </summary>
public sealed class StaticRangeTests
{
    private static Task VerifyHva(string body) =>
        HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    [Fact]
    public Task AStaticReadonlyTemplate_HoldsWhatItsInitializerGave() => VerifyHva("""
        static class KvmMain
        {
            static readonly kvm_gfn_range SharedTemplate = new kvm_gfn_range { only_shared = true, may_block = true };
            static readonly kvm_gfn_range PrivateTemplate = new kvm_gfn_range { only_private = true };
            static kvm_gfn_range SharedProperty { get; } = new kvm_gfn_range { only_shared = true };
            static readonly kvm_gfn_range Zeroed;

            static void kvm_mmu_notifier_with(kvm kvm, ulong start, ulong end)
            {
                var range = SharedTemplate with { start = start, end = end };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_copies(kvm kvm)
            {
                var range = SharedTemplate;
                kvm_unmap_gfn_range(kvm, ref range);
                var other = SharedProperty;
                kvm_unmap_gfn_range(kvm, ref other);
            }

            static void kvm_mmu_notifier_wrong_template(kvm kvm, ulong start)
            {
                var range = PrivateTemplate with { start = start };
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
                var zeroed = Zeroed;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref zeroed)|};
            }
        }
        """);

    [Fact]
    public Task ATemplateThatMayChange_IsStillUnknown() => VerifyHva("""
        static class Mutable
        {
            static kvm_gfn_range Template = new kvm_gfn_range { only_shared = true };

            static void kvm_mmu_notifier_mutable(kvm kvm)
            {
                var range = Template;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }

        static class StaticConstructor
        {
            static readonly kvm_gfn_range Template = new kvm_gfn_range { only_shared = true };

            static StaticConstructor()
            {
                if (System.Environment.ProcessorCount > 64)
                {
                    Template = new kvm_gfn_range { only_private = true };
                }
            }

            static void kvm_mmu_notifier_reassigned(kvm kvm)
            {
                var range = Template;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }

        sealed class RangeBox { public kvm_gfn_range range; }

        static class ClassTemplate
        {
            static readonly RangeBox Box = new RangeBox { range = new kvm_gfn_range { only_shared = true } };

            static void kvm_mmu_notifier_boxed(kvm kvm)
            {
                var range = Box.range;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """);

    [Fact]
    public Task AGuestMemfdTemplate_IsPrivateOnly() => GmemPrivate.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """

        static class Gmem
        {
            static readonly kvm_gfn_range PrivateTemplate = new kvm_gfn_range { only_private = true };

            static void kvm_gmem_invalidate_begin(kvm kvm, ulong start)
            {
                var range = PrivateTemplate with { start = start };
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """, null, withRuntime: true);

    [Fact]
    public Task AFilterTemplate_HoldsItsBits() => EmptyFilter.VerifyAsync(AttrFilterFormTests.IntegerForm + """
        static class Mmu
        {
            static readonly kvm_gfn_range SharedTemplate = new kvm_gfn_range { attr_filter = Filters.KVM_FILTER_SHARED };
            static readonly kvm_gfn_range Unfiltered = new kvm_gfn_range { start = 1 };

            static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;

            static void zap(kvm kvm, ulong start)
            {
                var range = SharedTemplate with { start = start };
                kvm_unmap_gfn_range(kvm, ref range);
                var empty = Unfiltered with { start = start };
                {|KVM0004:kvm_unmap_gfn_range(kvm, ref empty)|};
            }
        }
        """);
}
