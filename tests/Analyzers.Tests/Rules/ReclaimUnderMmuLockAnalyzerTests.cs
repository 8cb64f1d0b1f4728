using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.ReclaimUnderMmuLockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0003: guest memory is never reclaimed while mmu_lock is, or may be, held.</summary>
public sealed class ReclaimUnderMmuLockAnalyzerTests
{
    private static Task VerifyPort(string body, string? editorConfig = null) =>
        Verify.VerifyAsync("using static Kernel;\nusing System.Threading;\n" + KernelPort.Declarations + "\n" + body, editorConfig, withRuntime: true);

    // A call on the lock that returns a disposable is a guard, but a Task is disposable too:
    // SemaphoreSlim.WaitAsync() on a semaphore named MmuLock takes no guard that never drops.
    [Fact]
    public Task ATaskReturnedByACallOnTheLock_IsNoGuard() => VerifyPort("""
        sealed class Vm { public SemaphoreSlim MmuLock { get; } = new SemaphoreSlim(1, 1); public kvm K = new kvm(); }

        static class C
        {
            static async System.Threading.Tasks.Task Zap(Vm vm)
            {
                await vm.MmuLock.WaitAsync();
                try
                {
                    await System.Threading.Tasks.Task.Yield();
                }
                finally
                {
                    vm.MmuLock.Release();
                }

                kvm_arch_guest_memory_reclaimed(vm.K);
            }
        }
        """);

    [Fact]
    public Task ReclaimBetweenLockAndUnlock_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    [Fact]
    public Task LockAndReclaimThroughHelpersInOtherFiles_Reports()
    {
        // Port.cs spells neither a lock nor a reclaim name: the gate must follow the helpers
        // across files, through a file that only calls another helper.
        var test = new Verify.Test();
        test.TestState.Sources.Add(("/Port.cs", """
            using static Outer;
            using static Locks;

            static class Port
            {
                static void M(kvm kvm)
                {
                    take_lock(kvm);
                    {|KVM0003:outer_helper(kvm)|};
                    drop_lock(kvm);
                }
            }
            """));
        test.TestState.Sources.Add(("/Outer.cs", "static class Outer { internal static void outer_helper(kvm kvm) => Reclaim.flush_and_reclaim(kvm); }\n"));
        test.TestState.Sources.Add(("/Reclaim.cs", "using static Kernel;\nstatic class Reclaim { internal static void flush_and_reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }\n"));
        test.TestState.Sources.Add(("/Lock.cs", "using static Kernel;\nstatic class Locks\n{\n    internal static void take_lock(kvm kvm) => KVM_MMU_LOCK(kvm);\n    internal static void drop_lock(kvm kvm) => KVM_MMU_UNLOCK(kvm);\n}\n"));
        test.TestState.Sources.Add(("/Kernel.cs", "using System.Threading;\n" + KernelPort.Declarations));
        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task ReclaimAfterUnlock_IsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task MessageSaysWhereTheLockWasTaken() => Verify.VerifyAsync(
        new Verify.Test
        {
            TestCode = "using static Kernel;\n" + KernelPort.Declarations + """

                static class C
                {
                    static void M(kvm kvm)
                    {
                        KVM_MMU_LOCK(kvm);
                        kvm_arch_guest_memory_reclaimed(kvm);
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic().WithSpan(44, 9, 44, 45).WithSpan(43, 9, 43, 26)
                    .WithArguments("kvm_arch_guest_memory_reclaimed", "", "43"),
            },
        });

    [Theory]
    [InlineData("write_lock(kvm.mmu_lock)", "write_unlock(kvm.mmu_lock)")]
    [InlineData("read_lock(kvm.mmu_lock)", "read_unlock(kvm.mmu_lock)")]
    [InlineData("spin_lock(kvm.mmu_lock)", "spin_unlock(kvm.mmu_lock)")]
    [InlineData("Monitor.Enter(kvm.mmu_lock)", "Monitor.Exit(kvm.mmu_lock)")]
    public Task KernelAndMonitorLockForms_Report(string acquire, string release) => VerifyPort($$"""
        static class C
        {
            static void M(kvm kvm)
            {
                {{acquire}};
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                {{release}};
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task LockStatement_InsideReports_AfterIsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                lock (kvm.mmu_lock)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task ReaderWriterLockSlim_ReadAndWrite() => VerifyPort("""
        sealed class Vm { public ReaderWriterLockSlim MmuLock = new ReaderWriterLockSlim(); public kvm K = new kvm(); }
        static class C
        {
            static void M(Vm vm)
            {
                vm.MmuLock.EnterReadLock();
                {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                vm.MmuLock.ExitReadLock();
                vm.MmuLock.EnterWriteLock();
                vm.MmuLock.ExitWriteLock();
                kvm_arch_guest_memory_reclaimed(vm.K);
            }
        }
        """);

    [Fact]
    public Task UsingGuardOnTheLock_StatementAndDeclaration() => VerifyPort("""
        sealed class Guard : System.IDisposable { public void Dispose() { } }
        sealed class MmuLockType { public Guard Write() => new Guard(); }
        sealed class Vm { public MmuLockType MmuLock = new MmuLockType(); public kvm K = new kvm(); }
        static class C
        {
            static void Statement(Vm vm)
            {
                using (vm.MmuLock.Write())
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                }

                kvm_arch_guest_memory_reclaimed(vm.K);
            }

            static void Declaration(Vm vm)
            {
                {
                    using var guard = vm.MmuLock.Write();
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                }

                kvm_arch_guest_memory_reclaimed(vm.K);
            }
        }
        """);

    [Fact]
    public Task RuntimeLockAndReclaim_Report() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        static class C
        {
            static void M(Kvm kvm)
            {
                kvm.MmuLock.ReadLock();
                {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
                kvm.MmuLock.ReadUnlock();
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task AttributedLockMethodsAndMember() => VerifyPort("""
        [System.AttributeUsage(System.AttributeTargets.All)] sealed class AcquiresMmuLockAttribute : System.Attribute { }
        [System.AttributeUsage(System.AttributeTargets.All)] sealed class ReleasesMmuLockAttribute : System.Attribute { }
        [System.AttributeUsage(System.AttributeTargets.All)] sealed class MmuLockAttribute : System.Attribute { }
        sealed class Vm
        {
            [MmuLock] public object big_lock = new object();
            public kvm K = new kvm();
            [AcquiresMmuLock] public void Lock() { }
            [ReleasesMmuLock] public void Unlock() { }
        }
        static class C
        {
            static void Methods(Vm vm)
            {
                vm.Lock();
                {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                vm.Unlock();
                kvm_arch_guest_memory_reclaimed(vm.K);
            }

            static void Member(Vm vm)
            {
                write_lock(vm.big_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                write_unlock(vm.big_lock);
            }
        }
        """);

    [Fact]
    public Task HelpersThatAlwaysLockOrUnlock_AreFollowed() => VerifyPort("""
        static class C
        {
            static void TakeIt(kvm kvm) { KVM_MMU_LOCK(kvm); kvm_flush_remote_tlbs(kvm); }
            static void DropIt(kvm kvm) { KVM_MMU_UNLOCK(kvm); }
            static void Balanced(kvm kvm) { KVM_MMU_LOCK(kvm); KVM_MMU_UNLOCK(kvm); }

            static void M(kvm kvm)
            {
                TakeIt(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                DropIt(kvm);
                Balanced(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task HeldOnEntry_RequiresMmuLockAttribute() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        static class C
        {
            [RequiresMmuLock]
            static void Handler(Kvm kvm) => {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
        }
        """);

    [Fact]
    public Task HeldFromLockdepAssert() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                kvm_arch_guest_memory_reclaimed(kvm);
                lockdep_assert_held_write(kvm.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            }
        }
        """);

    /// <summary>The runtime lock's own lockdep assertions (KvmMmuLock.AssertHeld*) say the lock is held from there on.</summary>
    [Fact]
    public Task HeldFromTheRuntimeLocksAssert() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        static class C
        {
            static void M(Kvm kvm)
            {
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
                kvm.MmuLock.AssertHeldWrite(nameof(M));
                {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
            }

            static void N(Kvm kvm)
            {
                kvm.MmuLock.AssertHeld(nameof(N));
                kvm.MmuLock.WriteUnlock();
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
                kvm.MmuLock.WriteLock();
            }
        }
        """);

    /// <summary>
    /// A System.Threading.Lock or SpinLock named MmuLock is the lock: Enter, TryEnter and Exit on it
    /// take and drop it as Monitor's do (the lock statement on a Lock is in the end-to-end tests:
    /// this compiler lowers it as Monitor's).
    /// </summary>
    [Fact]
    public Task LockAndSpinLockEnterExit_AreTheLock() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        public sealed class Lock { public void Enter() { } public bool TryEnter() => true; public void Exit() { } }
        public sealed class Vm { public readonly Lock MmuLock = new Lock(); }
        public sealed class SpinVm { public System.Threading.SpinLock MmuLock = new System.Threading.SpinLock(false); }
        static class C
        {
            static void M(Vm vm, Kvm kvm)
            {
                vm.MmuLock.Enter();
                {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
                vm.MmuLock.Exit();
                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
                if (vm.MmuLock.TryEnter())
                {
                    {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
                    vm.MmuLock.Exit();
                }

                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void S(SpinVm vm, Kvm kvm)
            {
                var taken = false;
                try
                {
                    vm.MmuLock.Enter(ref taken);
                    {|KVM0003:KvmArch.kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                finally
                {
                    if (taken)
                        vm.MmuLock.Exit();
                }

                KvmArch.kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task TransitiveReclaim_NamesTheChain() => Verify.VerifyAsync(
        new Verify.Test
        {
            TestCode = "using static Kernel;\n" + KernelPort.Declarations + """

                static class C
                {
                    static void Flush(kvm kvm) => Reclaim(kvm);
                    static void Reclaim(kvm kvm) { if (kvm != null) kvm_arch_guest_memory_reclaimed(kvm); }
                    static void M(kvm kvm)
                    {
                        KVM_MMU_LOCK(kvm);
                        Flush(kvm);
                        KVM_MMU_UNLOCK(kvm);
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                Verify.Diagnostic().WithSpan(46, 9, 46, 19).WithSpan(45, 9, 45, 26)
                    .WithArguments("Flush", " (through Flush → Reclaim → kvm_arch_guest_memory_reclaimed)", "45"),
            },
        });

    [Fact]
    public Task ReclaimByAttributeAndByConfiguredName() => VerifyPort("""
        [System.AttributeUsage(System.AttributeTargets.All)] sealed class ReclaimsGuestMemoryAttribute : System.Attribute { }
        static class C
        {
            [ReclaimsGuestMemory] static void WriteBackCaches() { }
            static void FlushAll() { }
            static void Reclaim() { }
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:WriteBackCaches()|};
                {|KVM0003:FlushAll()|};
                Reclaim();
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """, "gfnguard.reclaim_methods = my_reclaim, FlushAll");

    [Fact]
    public Task ConfiguredLockMember() => VerifyPort("""
        sealed class Vm { public object PageTableLock = new object(); public kvm K = new kvm(); }
        static class C
        {
            static void M(Vm vm)
            {
                spin_lock(vm.PageTableLock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(vm.K)|};
                spin_unlock(vm.PageTableLock);
            }
        }
        """, "gfnguard.mmu_lock_members = Vm.PageTableLock");

    [Fact]
    public Task ConditionalLock_MayBeHeld() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool flush)
            {
                if (flush)
                    KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            }
        }
        """);

    [Fact]
    public Task LockCorrelatedWithABoolean_IsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, kvm_memory_slot[] slots)
            {
                bool locked = false;
                foreach (var slot in slots)
                {
                    if (!locked)
                    {
                        locked = true;
                        KVM_MMU_LOCK(kvm);
                    }
                }

                if (locked)
                    KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task UnlockOnOnlyOneBranch_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, bool early)
            {
                KVM_MMU_LOCK(kvm);
                if (early)
                    KVM_MMU_UNLOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
            }
        }
        """);

    [Fact]
    public Task LoopThatLocksWithoutUnlocking_ReportsOnTheBackEdge() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, int n)
            {
                for (var i = 0; i < n; i++)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    KVM_MMU_LOCK(kvm);
                }
            }
        }
        """);

    [Fact]
    public Task SwitchAndGotoAndReturn() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm, int mode)
            {
                switch (mode)
                {
                    case 0:
                        KVM_MMU_LOCK(kvm);
                        goto unlock;
                    case 1:
                        KVM_MMU_LOCK(kvm);
                        {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                        KVM_MMU_UNLOCK(kvm);
                        return;
                    default:
                        return;
                }

            unlock:
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task TryFinallyUnlock_InsideReports_AfterIsFine() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                try
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                finally
                {
                    KVM_MMU_UNLOCK(kvm);
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task CatchAfterLock_MayStillHoldIt() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                try
                {
                    KVM_MMU_LOCK(kvm);
                    kvm_flush_remote_tlbs(kvm);
                    KVM_MMU_UNLOCK(kvm);
                }
                catch (System.Exception)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
            }
        }
        """);

    [Fact]
    public Task LambdaDefinedUnderTheLock_IsNotCalledThere() => VerifyPort("""
        static class C
        {
            static System.Action M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                System.Action later = () => kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
                return later;
            }
        }
        """);

    [Fact]
    public Task LocalFunctionCalledUnderTheLock_Reports() => VerifyPort("""
        static class C
        {
            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:Reclaim()|};
                KVM_MMU_UNLOCK(kvm);

                void Reclaim() => kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    [Fact]
    public Task LambdaThatLocksAndReclaims_Reports() => VerifyPort("""
        static class C
        {
            static System.Action M(kvm kvm) => () =>
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                KVM_MMU_UNLOCK(kvm);
            };
        }
        """);

    [Fact]
    public Task LookAlikes_AreNotRoles() => VerifyPort("""
        sealed class Vm { public object other_lock = new object(); public kvm K = new kvm(); }
        static class C
        {
            static void Reclaim(kvm kvm) { }
            static void M(Vm vm)
            {
                write_lock(vm.other_lock);
                Reclaim(vm.K);
                lock (vm.other_lock) { kvm_flush_remote_tlbs(vm.K); }
                write_unlock(vm.other_lock);
                kvm_arch_guest_memory_reclaimed(vm.K);
            }
        }
        """);

    [Fact]
    public Task FaithfulPort_OfTheNotifier_HasNoDiagnostic() => VerifyPort(KernelPort.FaithfulNotifier);

    /// <summary>
    /// Summaries are the symbol's, and one computed under a recursion cut is not kept: walk
    /// reclaims through walk2, which calls walk back; another type's walk that takes and drops
    /// the lock changes nothing. (walk's summary, made while walk2's was in progress, once said
    /// "no reclaim" for good.)
    /// </summary>
    [Fact]
    public Task AReclaimReachedThroughMutualRecursion_IsFound() => VerifyPort("""
        static class A
        {
            static void walk(kvm kvm, int n)
            {
                if (n > 0)
                    walk2(kvm, n - 1);
            }

            static void walk2(kvm kvm, int n)
            {
                if (n == 0)
                    kvm_arch_guest_memory_reclaimed(kvm);
                else
                    walk(kvm, n);
            }

            static void M(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:walk2(kvm, 0)|};
                {|KVM0003:walk(kvm, 1)|};
                KVM_MMU_UNLOCK(kvm);
            }
        }

        static class B
        {
            static void walk(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    /// <summary>
    /// A summary records order: a helper that drops the lock and then reclaims, called with the
    /// lock held, reclaims after the caller's lock is gone (kvm_main.c's own shape, split in
    /// two); one that reclaims and then drops it reclaims under it.
    /// </summary>
    [Fact]
    public Task AHelperThatUnlocksThenReclaims_IsNoReclaimUnderTheCallersLock() => VerifyPort("""
        static class C
        {
            static void unlock_and_reclaim(kvm kvm)
            {
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void reclaim_and_unlock(kvm kvm)
            {
                kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void Fine(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                unlock_and_reclaim(kvm);
            }

            static void Broken(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:reclaim_and_unlock(kvm)|};
            }
        }
        """);

    /// <summary>A try-lock takes the lock only where it returned true (SPEC section 2).</summary>
    [Fact]
    public Task TryLocks_TakeTheLockOnlyWhereTheySucceeded() => VerifyPort("""
        static class C
        {
            static bool spin_trylock(object l) => true;

            static void Kernel(kvm kvm)
            {
                if (!spin_trylock(kvm.mmu_lock))
                {
                    kvm_arch_guest_memory_reclaimed(kvm);
                    return;
                }

                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                spin_unlock(kvm.mmu_lock);
            }

            static void Monitor_(kvm kvm)
            {
                if (System.Threading.Monitor.TryEnter(kvm.mmu_lock))
                {
                    try
                    {
                        {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    }
                    finally
                    {
                        System.Threading.Monitor.Exit(kvm.mmu_lock);
                    }
                }
                else
                {
                    kvm_arch_guest_memory_reclaimed(kvm);
                }
            }

            static void ThroughALocal(kvm kvm)
            {
                bool taken = spin_trylock(kvm.mmu_lock);
                if (taken)
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                    spin_unlock(kvm.mmu_lock);
                }
                else
                {
                    kvm_arch_guest_memory_reclaimed(kvm);
                }
            }

            static void RefTaken(kvm kvm)
            {
                var taken = false;
                try
                {
                    System.Threading.Monitor.TryEnter(kvm.mmu_lock, 10, ref taken);
                    if (!taken)
                    {
                        kvm_arch_guest_memory_reclaimed(kvm);
                        return;
                    }

                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }
                finally
                {
                    if (taken)
                        System.Threading.Monitor.Exit(kvm.mmu_lock);
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>
    /// A method that returns the lock's scope object takes the lock where its result is used in
    /// <c>using</c>, and the scope's end drops it (SPEC section 2). It was once summarised as
    /// taking the lock for good, so a reclaim after the using was reported.
    /// </summary>
    [Fact]
    public Task AHelperReturningTheLocksScope_TakesItOnlyInTheUsing() => VerifyPort("""
        sealed class Scope : System.IDisposable { public void Dispose() { } }
        sealed class RwLock { public Scope Write() => new Scope(); }

        sealed class Vm
        {
            public RwLock mmu_lock = new RwLock();

            System.IDisposable Lock() => mmu_lock.Write();

            void Zap(kvm kvm)
            {
                using (Lock())
                {
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>
    /// Code in a lambda runs where it is invoked (SPEC section 2): defined under the lock it is
    /// nothing; invoked there (through a local, immediately, by List.ForEach or Array.ForEach) it
    /// reclaims there, and the message says through what.
    /// </summary>
    [Fact]
    public Task ALambda_ReclaimsWhereItIsInvoked() => VerifyPort("""
        static class C
        {
            static void Defined(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                System.Action later = () => kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_UNLOCK(kvm);
                later();
            }

            static void ThroughALocal(kvm kvm)
            {
                System.Action reclaim = () => kvm_arch_guest_memory_reclaimed(kvm);
                KVM_MMU_LOCK(kvm);
                {|KVM0003:reclaim()|};
                KVM_MMU_UNLOCK(kvm);
            }

            static void Immediately(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:((System.Action)(() => kvm_arch_guest_memory_reclaimed(kvm)))()|};
                KVM_MMU_UNLOCK(kvm);
            }

            static void ThroughALocalWrittenAgain(kvm kvm)
            {
                System.Action step = () => kvm_arch_guest_memory_reclaimed(kvm);
                step = () => { };
                KVM_MMU_LOCK(kvm);
                step();
                KVM_MMU_UNLOCK(kvm);
            }

            static void ByForEach(kvm kvm, System.Collections.Generic.List<kvm> vms, kvm[] all)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:vms.ForEach(vm => kvm_arch_guest_memory_reclaimed(vm))|};
                {|KVM0003:System.Array.ForEach(all, kvm_arch_guest_memory_reclaimed)|};
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    /// <summary>
    /// A port's own iterator (`for_each_slot(kvm, slot => ...)`): a method of the compilation
    /// that runs its delegate parameter during the call (and does nothing else with it) runs what
    /// it is handed where it is called, as ForEach does; an iterator that drops the lock itself is
    /// not a reclaim under the caller's lock, and one run without the lock is nothing.
    /// </summary>
    [Fact]
    public Task ALambdaHandedToAPortsIterator_RunsUnderTheCallersLock() => VerifyPort("""
        static class C
        {
            static System.Collections.Generic.List<kvm_memory_slot> slots = new System.Collections.Generic.List<kvm_memory_slot>();

            static void for_each_slot(kvm kvm, System.Action<kvm_memory_slot> fn)
            {
                foreach (var slot in slots) fn(slot);
            }

            static void for_each_slot_unlocked(kvm kvm, System.Action<kvm_memory_slot> fn)
            {
                KVM_MMU_UNLOCK(kvm);
                foreach (var slot in slots) fn(slot);
                KVM_MMU_LOCK(kvm);
            }

            static void reclaim_slot(kvm_memory_slot slot) => kvm_arch_guest_memory_reclaimed(null);

            static void Lambda(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:for_each_slot(kvm, slot => kvm_arch_guest_memory_reclaimed(kvm))|};
                KVM_MMU_UNLOCK(kvm);
            }

            static void MethodGroup(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:for_each_slot(kvm, reclaim_slot)|};
                KVM_MMU_UNLOCK(kvm);
            }

            static void DroppedByTheIterator(kvm kvm)
            {
                KVM_MMU_LOCK(kvm);
                for_each_slot_unlocked(kvm, slot => kvm_arch_guest_memory_reclaimed(kvm));
                KVM_MMU_UNLOCK(kvm);
            }

            static void WithoutTheLock(kvm kvm) => for_each_slot(kvm, slot => kvm_arch_guest_memory_reclaimed(kvm));
        }
        """);

    /// <summary>A virtual, abstract or interface call counts as every override or implementation in the compilation.</summary>
    [Fact]
    public Task AnInterfaceOrVirtualCall_CountsAsEveryImplementation() => VerifyPort("""
        interface IReclaimer { void Reclaim(kvm kvm); }
        sealed class Sev : IReclaimer { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
        sealed class Snp : IReclaimer { public void Reclaim(kvm kvm) { } }
        abstract class Arch { public abstract void Flush(kvm kvm); public virtual void Noop(kvm kvm) { } }
        sealed class X86 : Arch { public override void Flush(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }

        static class C
        {
            static void M(kvm kvm, IReclaimer reclaimer, Arch arch)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:reclaimer.Reclaim(kvm)|};
                {|KVM0003:arch.Flush(kvm)|};
                arch.Noop(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    /// <summary>
    /// Every way C# dispatches a call to an implementation counts: an explicit implementation,
    /// one inherited from a base class that does not itself implement the interface, a generic
    /// interface, a nested type, and an override of an override.
    /// </summary>
    [Fact]
    public Task EveryWayADispatchReachesAnImplementation_Counts() => VerifyPort("""
        interface IReclaimer { void Reclaim(kvm kvm); }
        interface IArchOps<T> { void Release(T vm); }
        sealed class Explicit : IReclaimer { void IReclaimer.Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
        class Base { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
        sealed class Inherited : Base, IReclaimer { }
        sealed class Generic : IArchOps<kvm> { public void Release(kvm vm) => kvm_arch_guest_memory_reclaimed(vm); }
        static class Outer { internal sealed class Nested : IArchOps<int> { public void Release(int vm) { } } }
        abstract class Arch { public abstract void Flush(kvm kvm); }
        class X86 : Arch { public override void Flush(kvm kvm) { } }
        sealed class Zen : X86 { public override void Flush(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
        interface IQuiet { void Reclaim(kvm kvm); }
        sealed class Quiet : Base, IQuiet { void IQuiet.Reclaim(kvm kvm) { } }

        static class C
        {
            static void M(kvm kvm, IReclaimer reclaimer, IArchOps<kvm> ops, Arch arch, IQuiet quiet)
            {
                KVM_MMU_LOCK(kvm);
                {|KVM0003:reclaimer.Reclaim(kvm)|};
                {|KVM0003:ops.Release(kvm)|};
                {|KVM0003:arch.Flush(kvm)|};
                quiet.Reclaim(kvm);
                KVM_MMU_UNLOCK(kvm);
            }
        }
        """);

    /// <summary>
    /// The implementations of an interface are looked for by the names the types' base lists
    /// spell (<c>InheritanceIndex</c>), so every way a base list leads to the interface must
    /// count: through a derived interface, a base class of the compilation, an alias of the
    /// interface or of a base class, a partial type whose other part (in another file) names
    /// it, a record and a struct, each declared before the type it goes through. The interface
    /// maps to the base class's virtual method, and the call dispatches on to its override. An
    /// interface a library declares is implemented by naming it (IDisposable), through a library
    /// base class (Comparer of T, whose abstract Compare a source override implements), or by a
    /// record with no base list (IEquatable of itself). An override in another file counts, and a
    /// virtual method nobody overrides is only itself.
    /// </summary>
    [Fact]
    public Task EveryBaseListThatLeadsToTheInterface_CountsInOtherFiles()
    {
        var test = new Verify.Test();
        test.TestState.Sources.Add(("/Port.cs", """
            using static Kernel;
            using Ops = IReclaimOps;

            interface IReclaimOps { void Reclaim(kvm kvm); }
            interface IDerivedOps : Ops { }
            interface IViaDerived { void Reclaim(kvm kvm); }
            interface IViaBase { void Reclaim(kvm kvm); }
            interface IViaAlias { void Reclaim(kvm kvm); }
            interface IViaPartial { void Reclaim(kvm kvm); }
            interface IViaRecord { void Reclaim(kvm kvm); }
            interface IViaStruct { void Reclaim(kvm kvm); }
            class Virtual { public virtual void Reclaim(kvm kvm) { } }
            class Overridden { public virtual void Release(kvm kvm) { } }

            static class C
            {
                static void M(kvm kvm, IReclaimOps ops, IViaDerived derived, IViaBase viaBase, IViaAlias alias, IViaPartial partial,
                    IViaRecord record, IViaStruct value, System.IDisposable disposable, Virtual plain, Overridden overridden,
                    System.Collections.Generic.IComparer<kvm> comparer, System.IEquatable<Plain> equatable)
                {
                    KVM_MMU_LOCK(kvm);
                    {|KVM0003:ops.Reclaim(kvm)|};
                    {|KVM0003:derived.Reclaim(kvm)|};
                    {|KVM0003:viaBase.Reclaim(kvm)|};
                    {|KVM0003:alias.Reclaim(kvm)|};
                    {|KVM0003:partial.Reclaim(kvm)|};
                    {|KVM0003:record.Reclaim(kvm)|};
                    {|KVM0003:value.Reclaim(kvm)|};
                    {|KVM0003:disposable.Dispose()|};
                    plain.Reclaim(kvm);
                    {|KVM0003:overridden.Release(kvm)|};
                    {|KVM0003:comparer.Compare(kvm, kvm)|};
                    {|KVM0003:equatable.Equals(null)|};
                    KVM_MMU_UNLOCK(kvm);
                }
            }
            """));
        test.TestState.Sources.Add(("/Impl.cs", """
            using static Kernel;
            using Grand = GrandBase;

            sealed class ByDerived : IDerivedOps { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            sealed class TwoLevels : IStillDerived { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            interface IStillDerived : IDerivedOps, IViaDerived { }
            sealed class Leaf : MiddleBase { public override void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            class MiddleBase : Grand { }
            class GrandBase : IViaBase { public virtual void Reclaim(kvm kvm) { } }
            sealed class ByAlias : ViaAlias { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            partial class Halves { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            sealed record Recorded(int Id) : IViaRecord { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            struct Value : IViaStruct { public void Reclaim(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            sealed class Resource : System.IDisposable { public void Dispose() => kvm_arch_guest_memory_reclaimed(new kvm()); }
            sealed class Override : Overridden { public override void Release(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm); }
            sealed class ByLibraryBase : System.Collections.Generic.Comparer<kvm> { public override int Compare(kvm x, kvm y) { kvm_arch_guest_memory_reclaimed(x); return 0; } }
            sealed record Plain { public bool Equals(Plain? other) { kvm_arch_guest_memory_reclaimed(new kvm()); return false; } public override int GetHashCode() => 0; }
            """));
        test.TestState.Sources.Add(("/Halves.cs", "partial class Halves : IViaPartial { }\n"));
        test.TestState.Sources.Add(("/Aliases.cs", "global using ViaAlias = IViaAlias;\n"));
        test.TestState.Sources.Add(("/Kernel.cs", "using System.Threading;\n" + KernelPort.Declarations));
        return Verify.VerifyAsync(test);
    }

    /// <summary>
    /// Each lock instance is its own lock (SPEC section 2): dropping VM b's lock does not drop
    /// VM a's. What the method cannot tell apart is released together: a variable given the same
    /// VM, and a VM named through a member (r.kvm may be kvm).
    /// </summary>
    [Fact]
    public Task EachVmsLock_IsItsOwn() => VerifyPort("""
        sealed class holder { public kvm kvm = new kvm(); }

        static class C
        {
            static void Two(kvm a, kvm b)
            {
                KVM_MMU_LOCK(a);
                KVM_MMU_LOCK(b);
                KVM_MMU_UNLOCK(b);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(a)|};
                KVM_MMU_UNLOCK(a);
                kvm_arch_guest_memory_reclaimed(a);
            }

            static void TwoByTheLock(kvm a, kvm b)
            {
                write_lock(a.mmu_lock);
                write_lock(b.mmu_lock);
                write_unlock(b.mmu_lock);
                {|KVM0003:kvm_arch_guest_memory_reclaimed(b)|};
                write_unlock(a.mmu_lock);
                kvm_arch_guest_memory_reclaimed(b);
            }

            static void LockStatements(kvm a, kvm b)
            {
                lock (a.mmu_lock)
                {
                    lock (b.mmu_lock)
                    {
                    }

                    {|KVM0003:kvm_arch_guest_memory_reclaimed(a)|};
                }

                kvm_arch_guest_memory_reclaimed(a);
            }

            static void Alias(kvm kvm)
            {
                var k = kvm;
                KVM_MMU_LOCK(kvm);
                KVM_MMU_UNLOCK(k);
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void ThroughAMember(holder r, kvm kvm)
            {
                KVM_MMU_LOCK(r.kvm);
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>Constructors, property accessors, indexers and operators are calls too (SPEC section 2).</summary>
    [Fact]
    public Task ConstructorsAccessorsIndexersAndOperators_AreCalls() => VerifyPort("""
        sealed class Reclaimer
        {
            private readonly kvm _kvm;

            public Reclaimer(kvm kvm)
            {
                _kvm = kvm;
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            public bool Flushed
            {
                get { kvm_arch_guest_memory_reclaimed(_kvm); return true; }
                set { kvm_arch_guest_memory_reclaimed(_kvm); }
            }

            public int this[int i] { get { kvm_arch_guest_memory_reclaimed(_kvm); return i; } }

            public static Reclaimer operator +(Reclaimer r, int pages) { kvm_arch_guest_memory_reclaimed(r._kvm); return r; }
        }

        static class C
        {
            static void M(kvm kvm, Reclaimer r)
            {
                KVM_MMU_LOCK(kvm);
                var made = {|KVM0003:new Reclaimer(kvm)|};
                var read = {|KVM0003:r.Flushed|};
                {|KVM0003:r.Flushed|} = true;
                var page = {|KVM0003:r[1]|};
                var sum = {|KVM0003:r + 1|};
                KVM_MMU_UNLOCK(kvm);
                var after = new Reclaimer(kvm);
            }
        }
        """);

    /// <summary>
    /// A delegate a method of the compilation invokes while it holds the lock (the kernel's
    /// range->on_lock(kvm)) runs under the lock: a method group or lambda passed for it that
    /// reclaims is reported where it is passed. The faithful on_lock (invalidate begin) is fine.
    /// </summary>
    [Fact]
    public Task AReclaimingOnLock_PassedToTheHvaWalk_IsAReclaimUnderTheLock() => VerifyPort("""
        static class KvmMain
        {
            static kvm_mmu_notifier_return __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var r = new kvm_mmu_notifier_return();
                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, range.start, range.end - 1))
                {
                    if (!r.found_memslot)
                    {
                        r.found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                        range.on_lock?.Invoke(kvm);
                    }
                }

                if (r.found_memslot)
                    KVM_MMU_UNLOCK(kvm);
                return r;
            }

            static void invalidate_begin(kvm kvm) { }

            static void reclaim_early(kvm kvm) => kvm_arch_guest_memory_reclaimed(kvm);

            static void Faithful(kvm kvm)
            {
                var hva_range = new kvm_mmu_notifier_range { start = 0, end = 1, on_lock = invalidate_begin };
                if (__kvm_handle_hva_range(kvm, hva_range).found_memslot)
                    kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void Broken(kvm kvm)
            {
                var hva_range = new kvm_mmu_notifier_range { start = 0, end = 1, {|KVM0003:on_lock = reclaim_early|} };
                __kvm_handle_hva_range(kvm, hva_range);
            }

            static void BrokenByLambda(kvm kvm)
            {
                __kvm_handle_hva_range(kvm, new kvm_mmu_notifier_range { {|KVM0003:on_lock = k => kvm_arch_guest_memory_reclaimed(k)|} });
            }
        }
        """);

    /// <summary>A lock taken in a lambda is taken where the lambda is invoked, and not where it is written.</summary>
    [Fact]
    public Task ALockTakenInALambda_IsTakenWhereItIsInvoked() => VerifyPort("""
        static class C
        {
            static void Invoked(kvm kvm)
            {
                System.Action take = () => KVM_MMU_LOCK(kvm);
                take();
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                KVM_MMU_UNLOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }

            static void LocalFunction(kvm kvm)
            {
                void take() => KVM_MMU_LOCK(kvm);
                take();
                {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                KVM_MMU_UNLOCK(kvm);
            }

            static void NotInvoked(kvm kvm)
            {
                System.Action take = () => KVM_MMU_LOCK(kvm);
                kvm_arch_guest_memory_reclaimed(kvm);
            }
        }
        """);

    /// <summary>
    /// The fix on a lazy-lock walk (the reclaim before the conditional unlock) moves the reclaim
    /// past it, keeping its condition, and the fixed walk is clean (the fix property checks that
    /// the diagnostic is gone and the calls are the same on every input).
    /// </summary>
    [Fact]
    public Task ALazyLockWalk_ReclaimingBeforeTheConditionalUnlock_IsReported() => VerifyPort("""
        static class KvmMain
        {
            static kvm_mmu_notifier_return __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var r = new kvm_mmu_notifier_return();
                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, range.start, range.end - 1))
                {
                    if (!r.found_memslot)
                    {
                        r.found_memslot = true;
                        KVM_MMU_LOCK(kvm);
                    }

                    r.ret |= slot.npages > 0;
                }

                if (r.ret)
                {
                    kvm_flush_remote_tlbs(kvm);
                    {|KVM0003:kvm_arch_guest_memory_reclaimed(kvm)|};
                }

                if (r.found_memslot)
                    KVM_MMU_UNLOCK(kvm);
                return r;
            }
        }
        """);
}
