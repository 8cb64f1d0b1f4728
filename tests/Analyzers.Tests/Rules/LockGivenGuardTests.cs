using System.Threading.Tasks;
using Balance = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.UnbalancedMmuLockAnalyzer>;
using Flush = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A guard or helper that takes the lock it is given, not a VM's: cleanup.h's
/// <c>guard(write_lock)(&amp;kvm->mmu_lock)</c> as a port writes it (upstream's TDX huge-page split
/// and arm64's nested MMU teardown use it). Given <c>kvm.mmu_lock</c> it takes mmu_lock; given
/// another lock, nothing.
/// </summary>
public sealed class LockGivenGuardTests
{
    private static string Port(string body) => "using static Kernel;\nusing static Guard;\n" + KernelPort.Declarations + "\n" + KernelPort.LockGivenGuards + body;

    [Fact]
    public Task ReclaimUnderAGuardOfTheLockItIsGiven_Reports() => Reclaim.VerifyAsync(Port("""
        static class C
        {
            static void declared(kvm kvm)
            {
                using var _ = guard_write_lock(kvm.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            }

            static void constructed(kvm kvm)
            {
                using (new write_lock_guard(kvm.mmu_lock))
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void helpers(kvm kvm)
            {
                lock_it(kvm.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                unlock_it(kvm.mmu_lock);
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            // Another lock is no mmu_lock.
            static void slots(kvm kvm)
            {
                using (new write_lock_guard(kvm.slots_lock))
                {
                    kvm_arch_guest_memory_reclaimed(kvm);
                }

                lock_it(kvm.slots_lock);
                kvm_arch_guest_memory_reclaimed(kvm);
                unlock_it(kvm.slots_lock);
            }
        }
        """));

    [Fact]
    public Task TheFlushBeforeAGuardOfTheLockItIsGiven_IsChecked() => Flush.VerifyAsync(Port("""
        static class C
        {
            static void fine(kvm kvm, kvm_gfn_range range)
            {
                using var _ = guard_write_lock(kvm.mmu_lock);
                var flush = kvm_unmap_gfn_range(kvm, ref range);
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }

            static void late(kvm kvm, kvm_gfn_range range)
            {
                bool flush;
                using (new write_lock_guard(kvm.mmu_lock))
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}

                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """));

    [Fact]
    public Task AGuardOfTheLockItIsGiven_IsBalanced() => Balance.VerifyAsync(Port("""
        static class C
        {
            static void balanced(kvm kvm)
            {
                using (guard_write_lock(kvm.mmu_lock)) { }
                lock_it(kvm.mmu_lock);
                unlock_it(kvm.mmu_lock);
            }

            static void twice(kvm kvm)
            {
                using var _ = guard_write_lock(kvm.mmu_lock);
                {|KVM0007:lock_it(kvm.mmu_lock)|};
                unlock_it(kvm.mmu_lock);
            }

            static void kept(kvm kvm, bool early)
            {
                lock_it(kvm.mmu_lock);
                if (early)
                {
                    {|KVM0007:return;|}
                }

                unlock_it(kvm.mmu_lock);
            }
        }
        """));

    /// <summary>
    /// A VM's guard helper that returns a guard of the lock it is given (<c>mmu_guard(kvm) =&gt;
    /// guard_write_lock(kvm.mmu_lock)</c>) takes the lock in its using and drops it at the using's
    /// end. It counted as taking the lock for good: a false KVM0003 after the block, and no KVM0006
    /// for a flush after it.
    /// </summary>
    private const string VmGuards = """
        static class VmGuard
        {
            public static write_lock_guard mmu_guard(kvm kvm) => guard_write_lock(kvm.mmu_lock);
            public static write_lock_guard mmu_guard_made(kvm kvm) => new write_lock_guard(kvm.mmu_lock);
        }

        """;

    [Fact]
    public Task AVmsGuardOfTheLockItIsGiven_DropsItAtTheUsingsEnd() => Reclaim.VerifyAsync(Port(VmGuards + """
        static class C
        {
            static void after(kvm kvm)
            {
                using (VmGuard.mmu_guard(kvm))
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                kvm_arch_guest_memory_reclaimed(kvm);
                using (VmGuard.mmu_guard_made(kvm)) { }
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """));

    [Fact]
    public Task AVmsGuardOfTheLockItIsGiven_IsCheckedForTheFlush() => Flush.VerifyAsync(Port(VmGuards + """
        static class C
        {
            static void fine(kvm kvm, kvm_gfn_range range)
            {
                using var _ = VmGuard.mmu_guard(kvm);
                if (kvm_unmap_gfn_range(kvm, ref range))
                    kvm_flush_remote_tlbs(kvm);
            }

            static void late(kvm kvm, kvm_gfn_range range)
            {
                bool flush;
                using (VmGuard.mmu_guard(kvm))
                {
                    flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}
                if (flush)
                    kvm_flush_remote_tlbs(kvm);
            }
        }
        """));

    [Fact]
    public Task AVmsGuardOfTheLockItIsGiven_IsBalanced() => Balance.VerifyAsync(Port(VmGuards + """
        static class C
        {
            static void balanced(kvm kvm)
            {
                using (VmGuard.mmu_guard(kvm)) { }
                using var _ = VmGuard.mmu_guard(kvm);
            }

            static void twice(kvm kvm)
            {
                using var _ = VmGuard.mmu_guard(kvm);
                {|KVM0007:lock_it(kvm.mmu_lock)|};
                unlock_it(kvm.mmu_lock);
            }
        }
        """));
}
