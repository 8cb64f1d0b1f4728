using System.Threading.Tasks;
using Balance = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.UnbalancedMmuLockAnalyzer>;
using Flush = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer>;
using Reclaim = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A port's own lock guard (C#'s RAII, cleanup.h's <c>guard(write_lock)</c>): a type whose
/// constructor takes mmu_lock on every path and whose Dispose drops it. Constructors are calls
/// (SPEC section 2), so <c>new ScopedWriteLock(kvm)</c> takes the lock and disposing the object
/// releases it. And a foreach's Dispose is its enumerator's, never a guard's: a compilation that
/// declares a lock-dropping or reclaiming Dispose must not see one in every foreach.
/// </summary>
public sealed class LockGuardObjectTests
{
    private const string Guards = KernelPort.ScopedWriteLock + """
        // Not sealed, and Dispose implemented explicitly.
        class OpenGuard : System.IDisposable
        {
            private readonly kvm _kvm;
            public OpenGuard(kvm kvm) { _kvm = kvm; write_lock(kvm.mmu_lock); }
            void System.IDisposable.Dispose() => write_unlock(_kvm.mmu_lock);
        }

        sealed class Reclaimer : System.IDisposable
        {
            private readonly kvm _kvm = new kvm();
            public void Dispose() => kvm_arch_guest_memory_reclaimed(_kvm);
        }

        static class Helpers
        {
            public static System.IDisposable scoped(kvm kvm) => new ScopedWriteLock(kvm);
            public static System.Collections.Generic.IEnumerable<int> items() { yield return 1; }
        }

        """;

    private static string Port(string body) => "using static Kernel;\nusing static Helpers;\nusing System.Collections.Generic;\n" + KernelPort.Declarations + "\n" + Guards + body;

    [Fact]
    public Task AReclaimInsideTheGuardsScope_Reports_AndAfterIt_DoesNot() => Reclaim.VerifyAsync(Port("""
        static class C
        {
            static void inside(kvm kvm)
            {
                using (new ScopedWriteLock(kvm))
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
            }

            static void declared(kvm kvm)
            {
                using var guard = new OpenGuard(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            }

            static void through_a_helper(kvm kvm)
            {
                using (scoped(kvm))
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void disposed_by_hand(kvm kvm)
            {
                var guard = new ScopedWriteLock(kvm);
                guard.Dispose();
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            // Reclaimer.Dispose reclaims, but no foreach here runs it.
            static void loops(kvm kvm, List<int> list, int[] array)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var i in list) { }
                foreach (var i in items()) { }
                foreach (var i in array) { }
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """));

    [Fact]
    public Task AGuardIsBalanced_AndWhatIsWrongAroundItIsReported() => Balance.VerifyAsync(Port("""
        static class C
        {
            static void balanced(kvm kvm)
            {
                using (new ScopedWriteLock(kvm)) { }
                using (scoped(kvm)) { }
                using var guard = new OpenGuard(kvm);
            }

            static void twice(kvm kvm)
            {
                using (new ScopedWriteLock(kvm))
                {
                    {|KVM0007:KVM_MMU_LOCK(kvm)|};
                }
            }

            static void kept_on_one_path(kvm kvm, bool early)
            {
                var guard = new ScopedWriteLock(kvm);
                if (early)
                {
                    {|KVM0007:return;|}
                }

                guard.Dispose();
            }

            // ScopedWriteLock.Dispose drops the lock, but no foreach here runs it: over an array or
            // a non-generic IEnumerable the graph disposes `enumerator as IDisposable`, still an enumerator.
            static void loops(kvm kvm, List<int> list, int[] array, System.Collections.IEnumerable untyped)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var i in list) { }
                foreach (var i in items()) { }
                foreach (var i in array) { }
                foreach (var i in untyped) { }
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """));

    // With one Dispose in the compilation, every implementation of IDisposable.Dispose agrees: a
    // foreach's Dispose was taken for a release of the lock (and the unlock after it reported),
    // or for a reclaim under it.
    private const string Loops = """
        static class C
        {
            static IEnumerable<int> items() { yield return 1; }

            static void loops(kvm kvm, List<int> list, int[] array, System.Collections.IEnumerable untyped)
            {
                KVM_MMU_LOCK(kvm);
                foreach (var i in list) { }
                foreach (var i in items()) { }
                foreach (var i in array) { }
                foreach (var i in untyped) { }
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """;

    [Fact]
    public Task AForeachRunsItsEnumeratorsDispose_NotTheOnlyLockDroppingOne() => Balance.VerifyAsync(
        "using static Kernel;\nusing System.Collections.Generic;\n" + KernelPort.Declarations + KernelPort.ScopedWriteLock + Loops);

    [Fact]
    public Task AForeachRunsItsEnumeratorsDispose_NotTheOnlyReclaimingOne() => Reclaim.VerifyAsync(
        "using static Kernel;\nusing System.Collections.Generic;\n" + KernelPort.Declarations + """
        sealed class Reclaimer : System.IDisposable
        {
            private readonly kvm _kvm = new kvm();
            public void Dispose() => kvm_arch_guest_memory_reclaimed(_kvm);
        }

        """ + Loops);

    // A using's Dispose runs in a finally on the way out: a guard's drops the lock there, even
    // where the using is the method's last statement and an early return came before it. And a
    // method that takes and drops a guard is no release helper: its Dispose drops the guard's
    // lock, not the one its caller holds.
    [Fact]
    public Task AGuardsUsingAfterAnEarlyReturn_IsBalanced_AndDropsOnlyItsOwnLock() => Balance.VerifyAsync(Port("""
        sealed class WriteGuard : System.IDisposable { public void Dispose() { } }
        sealed class LockType { public WriteGuard Write() => new WriteGuard(); }
        sealed class Vm { public LockType MmuLock = new LockType(); }

        static class C
        {
            static void own(kvm kvm, bool early)
            {
                if (early)
                {
                    return;
                }

                using (new ScopedWriteLock(kvm)) { }
            }

            static void declared(kvm kvm, bool early)
            {
                if (early)
                    return;
                using var guard = new OpenGuard(kvm);
            }

            static void assigned(kvm kvm, bool early)
            {
                if (early)
                    return;
                ScopedWriteLock guard;
                using (guard = new ScopedWriteLock(kvm)) { }
            }

            static void by_call(Vm vm, bool early)
            {
                if (early)
                    return;
                using (vm.MmuLock.Write()) { }
            }

            static void scoped_zap(Vm vm)
            {
                using (vm.MmuLock.Write()) { }
            }

            static void caller(Vm vm)
            {
                using (vm.MmuLock.Write())
                {
                    scoped_zap(vm);
                }
            }
        }
        """));

    [Fact]
    public Task AZapUnderTheGuard_IsFlushedBeforeItsDispose() => Flush.VerifyAsync(Port("""
        static class C
        {
            static void flushed(kvm kvm, kvm_gfn_range range)
            {
                using (new ScopedWriteLock(kvm))
                {
                    var flush = kvm_unmap_gfn_range(kvm, ref range);
                    if (flush)
                        kvm_flush_remote_tlbs(kvm);
                }
            }

            static void unflushed(kvm kvm, kvm_gfn_range range)
            {
                using (new ScopedWriteLock(kvm))
                {
                    var flush = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:}|}
                kvm_flush_remote_tlbs(kvm);
            }
        }
        """));
}
