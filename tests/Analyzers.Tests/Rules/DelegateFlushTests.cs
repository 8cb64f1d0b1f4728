using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.FlushBeforeUnlockAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// KVM0006's flush through a delegate (SPEC 2: a lambda or local function invoked runs there): a
/// local initialised with a lambda or method group that flushes, a local function that flushes,
/// and a delegate named as a flush (an ops table's <c>kvm_flush_remote_tlbs</c> field, a parameter,
/// a name from gfnguard.tlb_flush_methods). Each was a false KVM0006, for a kept result and for one
/// thrown away. A delegate that may not run (<c>?.Invoke</c>), or of another name, is no flush.
/// </summary>
public sealed class DelegateFlushTests
{
    private static Task VerifyPort(string body, string? editorConfig = null) =>
        Verify.VerifyAsync("using static Kernel;\nusing System;\n" + KernelPort.Declarations + "\n" + body, editorConfig);

    private const string Ops = """
        public sealed class kvm_ops
        {
            public Action<kvm> kvm_flush_remote_tlbs;
            public Action<kvm> flush_remote_tlbs;
            public Action<kvm> tlb_flush;
        }

        """;

    [Fact]
    public Task AFunctionThatFlushes_FlushesWhereItIsInvoked() => VerifyPort("""
        static class C
        {
            static void Lambda(kvm kvm, kvm_gfn_range range)
            {
                Action flush = () => kvm_flush_remote_tlbs(kvm);
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    flush();
                KVM_MMU_UNLOCK(kvm);
            }

            static void LambdaWithABlock_Discarded(kvm kvm, kvm_gfn_range range)
            {
                Action<kvm> flush = k => { kvm_flush_remote_tlbs(k); };
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                flush(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void MethodGroup(kvm kvm, kvm_gfn_range range)
            {
                Action<kvm> flush = kvm_flush_remote_tlbs;
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    flush(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void LocalFunction(kvm kvm, kvm_gfn_range range)
            {
                void flush() => kvm_flush_remote_tlbs(kvm);
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    flush();
                KVM_MMU_UNLOCK(kvm);
            }

            static void ALambdaThatDoesNotFlush(kvm kvm, kvm_gfn_range range)
            {
                Action flush = () => { };
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    flush();
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            // Only after the release.
            static void LambdaAfterTheRelease(kvm kvm, kvm_gfn_range range)
            {
                Action flush = () => kvm_flush_remote_tlbs(kvm);
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
                if (zapped)
                    flush();
            }
        }
        """);

    [Fact]
    public Task ADelegateNamedAsAFlush_Flushes() => VerifyPort(Ops + """
        static class C
        {
            static kvm_ops ops = new kvm_ops();

            static void OpsTable(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    ops.kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void Parameter_Discarded(kvm kvm, kvm_gfn_range range, Action<kvm> kvm_flush_remote_tlbs)
            {
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                kvm_flush_remote_tlbs(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void flush_through_ops(kvm kvm) => ops.kvm_flush_remote_tlbs(kvm);

            static void AHelperThatFlushesThroughTheTable(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    flush_through_ops(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            static void Configured(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    ops.tlb_flush(kvm);
                KVM_MMU_UNLOCK(kvm);
            }

            // The kernel's kvm_x86_ops.flush_remote_tlbs may fail (-EOPNOTSUPP) and leave the flush
            // to its caller: not a flush by name.
            static void ArchHook(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    ops.flush_remote_tlbs(kvm);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }

            // When the field is null nothing flushes.
            static void Conditional(kvm kvm, kvm_gfn_range range)
            {
                KVM_MMU_LOCK(kvm);
                var zapped = kvm_unmap_gfn_range(kvm, ref range);
                if (zapped)
                    ops.kvm_flush_remote_tlbs?.Invoke(kvm);
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """, "gfnguard.tlb_flush_methods = tlb_flush\n");

    /// <summary>
    /// A thrown-away result is settled by any call that may flush after it: a lambda or local
    /// function may when its body calls something that may (a flush on some path, a helper of the
    /// compilation), and one that calls nothing of the kind does not.
    /// </summary>
    [Fact]
    public Task AFunctionThatMayFlush_SettlesAThrownAwayResult_OneThatCannot_DoesNot() => VerifyPort("""
        static class C
        {
            static void MayFlush(kvm kvm, kvm_gfn_range range, bool dirty)
            {
                Action flush_if_dirty = () => { if (dirty) kvm_flush_remote_tlbs(kvm); };
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                flush_if_dirty();
                KVM_MMU_UNLOCK(kvm);
            }

            static int traced;

            static void CannotFlush(kvm kvm, kvm_gfn_range range)
            {
                Action trace = () => traced++;
                void count() => traced += 2;
                KVM_MMU_LOCK(kvm);
                kvm_unmap_gfn_range(kvm, ref range);
                trace();
                count();
                {|KVM0006:KVM_MMU_UNLOCK(kvm)|};
            }
        }
        """);
}
