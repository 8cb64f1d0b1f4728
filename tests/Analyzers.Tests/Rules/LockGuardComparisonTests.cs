using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.UnbalancedMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// KVM0007 and a lock taken under a test of a value against a constant (SPEC 2: lock state is
/// kept per path, correlated with what guards it): <c>if ((flags &amp; KVM_LOCKED) == 0) KVM_MMU_LOCK(kvm);</c>
/// ... <c>if ((flags &amp; KVM_LOCKED) == 0) KVM_MMU_UNLOCK(kvm);</c>, or a lock mode compared with
/// <c>==</c> or <c>is</c> or switched on, is balanced, as the same shape with a bool already was. Each was two
/// false KVM0007 (an unlock "not held on some path", a return "with the lock held").
/// Another constant, or a value written between, still reports.
/// </summary>
public sealed class LockGuardComparisonTests
{
    private static Task VerifyPort(string body) =>
        Verify.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, null, withRuntime: true);

    /// <summary>An integer's order against a constant guards the lock as an equality does: <c>n &gt; 0</c> and <c>n &gt;= 1</c> are one test, <c>ranges.Length &gt; 0</c> holds one value.</summary>
    [Fact]
    public Task AnOrderTestTakesAndDrops_IsBalanced() => VerifyPort("""
        static class Walk
        {
            static void by_count(kvm kvm, int n)
            {
                if (n > 0)
                    KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                if (n >= 1)
                    KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void by_length(kvm kvm, kvm_gfn_range[] ranges)
            {
                if (ranges.Length > 0)
                    KVM_MMU_LOCK(kvm);
                for (var i = 0; i < ranges.Length; i++)
                    ranges[i].only_shared = true;
                if (0 < ranges.Length)
                    KVM_MMU_UNLOCK(kvm);
            }

            static void another_bound(kvm kvm, int n)
            {
                if (n > 0)
                    KVM_MMU_LOCK(kvm);
                if (n > 1)
                    {|KVM0007:KVM_MMU_UNLOCK(kvm)|};
            {|KVM0007:}|}
        }
        """);

    [Fact]
    public Task TheSameTestTakesAndDrops_IsBalanced() => VerifyPort("""
        public enum lock_mode { None, Read, Write }
        static class Walk
        {
            const int KVM_LOCKED = 1 << 2;

            static void by_flags(kvm kvm, int flags)
            {
                if ((flags & KVM_LOCKED) == 0)
                    KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                if ((flags & KVM_LOCKED) == 0)
                    KVM_MMU_UNLOCK(kvm);
            }

            static void by_mode(kvm kvm, lock_mode mode)
            {
                if (mode == lock_mode.Write)
                    KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                if (mode is lock_mode.Write)
                    KVM_MMU_UNLOCK(kvm);
            }

            static void by_switch(kvm kvm, lock_mode mode)
            {
                switch (mode)
                {
                    case lock_mode.Write:
                        KVM_MMU_LOCK(kvm);
                        break;
                }

                kvm_flush_remote_tlbs(kvm);
                switch (mode)
                {
                    case lock_mode.Write:
                        KVM_MMU_UNLOCK(kvm);
                        break;
                }
            }

            static void by_negated_mode(kvm kvm, lock_mode mode)
            {
                if (mode != lock_mode.None)
                    KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                if (!(mode == lock_mode.None))
                    KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task AnotherConstantOrAWriteBetween_StillReports() => VerifyPort("""
        public enum lock_mode { None, Read, Write }
        static class Walk
        {
            static void other_constant(kvm kvm, lock_mode mode)
            {
                if (mode == lock_mode.Write)
                    KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                if (mode == lock_mode.Read)
                    KVM_MMU_UNLOCK(kvm); // never where it was taken here: the caller's lock, if any
            {|KVM0007:}|}

            static void written_between(kvm kvm, lock_mode mode)
            {
                if (mode == lock_mode.Write)
                    KVM_MMU_LOCK(kvm);
                mode = lock_mode.None;
                if (mode == lock_mode.Write)
                    {|KVM0007:KVM_MMU_UNLOCK(kvm)|};
            {|KVM0007:}|}
        }
        """);
}
