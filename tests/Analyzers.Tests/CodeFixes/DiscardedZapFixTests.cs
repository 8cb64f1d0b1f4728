using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Rules;
using GfnGuard.CodeFixes;
using Flush = GfnGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer, GfnGuard.CodeFixes.FlushBeforeUnlockCodeFixProvider>;

namespace GfnGuard.Analyzers.Tests.CodeFixes;

/// <summary>
/// KVM0006's fix for a zap whose result is discarded: no flag to test before the release, so the
/// call itself is tested and the flush follows it while the lock is held. Fix All with it.
/// </summary>
public sealed class DiscardedZapFixTests
{
    private const string Prelude = "using static Kernel;\n" + KernelPort.Declarations + "\n";

    [Fact]
    public Task TheZapIsTested_AndTheFlushFollowsIt() => Flush.VerifyFixAsync(Prelude + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(vm);
                kvm_unmap_gfn_range(vm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(vm)|};
            }
        }
        """, Prelude + """
        static class C
        {
            static void M(kvm vm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(vm);
                if (kvm_unmap_gfn_range(vm, ref range))
                    kvm_flush_remote_tlbs(vm);
                KVM_MMU_UNLOCK(vm);
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task FixAll_DiscardsAndEmbeddedZaps_InEveryMethod() => Flush.VerifyFixAsync(Prelude + """
        static class C
        {
            static void A(kvm kvm, kvm_gfn_range range, bool early)
            {
                write_lock(kvm.mmu_lock);
                if (early)
                    kvm_unmap_gfn_range(kvm, ref range);
                else
                    _ = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:write_unlock(kvm.mmu_lock)|};
            }

            static void B(kvm kvm, kvm_gfn_range[] ranges)
            {
                lock (kvm.mmu_lock)
                {
                    for (var i = 0; i < ranges.Length; i++)
                        kvm_unmap_gfn_range(kvm, ref ranges[i]);
                {|KVM0006:}|}
            }

            // Two releases: the first owes the first zap, the second both.
            static void D(kvm kvm, kvm_gfn_range a, kvm_gfn_range b, bool done)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref a);
                if (done)
                {
                    {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                    return;
                }

                kvm_unmap_gfn_range(kvm, ref b);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """, Prelude + """
        static class C
        {
            static void A(kvm kvm, kvm_gfn_range range, bool early)
            {
                write_lock(kvm.mmu_lock);
                if (early)
                {
                    if (kvm_unmap_gfn_range(kvm, ref range))
                        kvm_flush_remote_tlbs(kvm);
                }
                else
                {
                    if (kvm_unmap_gfn_range(kvm, ref range))
                        kvm_flush_remote_tlbs(kvm);
                }
                write_unlock(kvm.mmu_lock);
            }

            static void B(kvm kvm, kvm_gfn_range[] ranges)
            {
                lock (kvm.mmu_lock)
                {
                    for (var i = 0; i < ranges.Length; i++)
                    {
                        if (kvm_unmap_gfn_range(kvm, ref ranges[i]))
                            kvm_flush_remote_tlbs(kvm);
                    }
                }
            }

            // Two releases: the first owes the first zap, the second both.
            static void D(kvm kvm, kvm_gfn_range a, kvm_gfn_range b, bool done)
            {
                KVM_MMU_LOCK(kvm);
                if (kvm_unmap_gfn_range(kvm, ref a))
                    kvm_flush_remote_tlbs(kvm);
                if (done)
                {
                    KVM_MMU_UNLOCK(kvm);
                    return;
                }

                if (kvm_unmap_gfn_range(kvm, ref b))
                    kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);

    [Fact]
    public Task AKeptAndADiscardedResultAtOneRelease_IsNotFixed() => Flush.VerifyFixAsync(Prelude + """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range a, kvm_gfn_range b)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref a);
                kvm_unmap_gfn_range(kvm, ref b);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """, Prelude + """
        static class C
        {
            static void M(kvm kvm, kvm_gfn_range a, kvm_gfn_range b)
            {
                KVM_MMU_LOCK(kvm);
                var flush = kvm_unmap_gfn_range(kvm, ref a);
                kvm_unmap_gfn_range(kvm, ref b);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """, FlushBeforeUnlockCodeFixProvider.EquivalenceKey);
}
