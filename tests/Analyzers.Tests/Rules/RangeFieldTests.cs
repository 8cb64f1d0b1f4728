using System.Threading.Tasks;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A range held in a field of an object the method makes: an object starts zeroed, so a range
/// field (or auto-property) that no initializer and no constructor of its own gives a value
/// holds both flags false. It was a value the method cannot see, so `var h = new Holder();
/// h.range.only_shared = true; handler(kvm, ref h.range);` was a KVM0002 at Error.
/// </summary>
public sealed class RangeFieldTests
{
    [Fact]
    public Task AFreshObjectsRangeField_StartsZeroed() => HvaShared.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + """

        sealed class Holder { public kvm_gfn_range range; public kvm_gfn_range Next { get; set; } }
        struct Pair { public kvm_gfn_range first, second; }
        sealed class Initialised { public kvm_gfn_range range = new kvm_gfn_range { only_private = true }; }
        sealed class Constructed { public kvm_gfn_range range; public Constructed() { range.only_private = true; } }

        static class KvmMain
        {
            static void kvm_mmu_notifier_class(kvm kvm)
            {
                var holder = new Holder();
                holder.range.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref holder.range);
                var next = holder.Next;
                next.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref next);
            }

            static void kvm_mmu_notifier_struct(kvm kvm)
            {
                var pair = new Pair();
                pair.second.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref pair.second);
            }

            static void kvm_mmu_notifier_given_a_value(kvm kvm)
            {
                var initialised = new Initialised();
                initialised.range.only_shared = true;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref initialised.range)|};
                var constructed = new Constructed();
                constructed.range.only_shared = true;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref constructed.range)|};
            }
        }
        """, null, withRuntime: true);
}
