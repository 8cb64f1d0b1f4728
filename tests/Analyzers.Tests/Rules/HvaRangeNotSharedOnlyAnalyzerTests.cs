using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0002: every gfn range an HVA-based path passes on is shared-only at that point.</summary>
public sealed class HvaRangeNotSharedOnlyAnalyzerTests
{
    private static Task VerifyPort(string body, string? editorConfig = null) =>
        Verify.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + body, editorConfig, withRuntime: true);

    [Fact]
    public Task RangeWithoutOnlyShared_PassedToTheHandler_Reports() => VerifyPort("""
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                var gfn_range = new kvm_gfn_range { start = range.start, end = range.end };
                return {|KVM0002:range.handler(kvm, ref gfn_range)|};
            }
        }
        """);

    /// <summary>
    /// A path whose flags come from its parameter is checked at each call when every caller is an
    /// HVA path too: shared is fine, private is reported at the call; a caller that is no path
    /// leaves the check in the callee.
    /// </summary>
    [Fact]
    public Task FlagsGivenByTheCallers_AreCheckedAtEachCall() => VerifyPort("""
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, bool shared)
            {
                var gfn_range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                return kvm_unmap_gfn_range(kvm, ref gfn_range);
            }

            static bool kvm_mmu_notifier_invalidate_range_start(kvm kvm) => __kvm_handle_hva_range(kvm, true);

            static bool kvm_mmu_notifier_clear_young(kvm kvm) => {|KVM0002:__kvm_handle_hva_range(kvm, false)|};
        }

        static class Sim
        {
            static bool kvm_handle_hva_range(kvm kvm, bool shared)
            {
                var gfn_range = new kvm_gfn_range { only_shared = shared, only_private = !shared };
                return {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }

            static bool kvm_mmu_notifier_release(kvm kvm) => kvm_handle_hva_range(kvm, true);

            static bool Replay(kvm kvm) => kvm_handle_hva_range(kvm, true);
        }
        """);

    [Theory]
    [InlineData("static bool __kvm_handle_hva_range(kvm kvm, kvm_gfn_range gfn_range)")]
    [InlineData("static bool kvm_handle_hva_range(kvm kvm, kvm_gfn_range gfn_range)")]
    [InlineData("static bool kvm_handle_hva_range_no_flush(kvm kvm, kvm_gfn_range gfn_range)")]
    [InlineData("static bool HandleHvaRange(kvm kvm, kvm_gfn_range gfn_range)")]
    [InlineData("static bool kvm_mmu_notifier_clear_flush_young(kvm kvm, kvm_gfn_range gfn_range)")]
    [InlineData("static bool age(kvm kvm, kvm_gfn_range gfn_range, in mmu_notifier_range range)")]
    public Task EveryKernelNamedHvaPath_Reports(string signature) => VerifyPort($$"""
        static class KvmMain
        {
            {{signature}}
            {
                gfn_range.only_shared = true;
                return {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """);

    /// <summary>
    /// Each way a method becomes an HVA-based path, alone in a file that spells no other: the
    /// syntax gate must let each through on its own (the kernel's declarations are in another file).
    /// </summary>
    [Theory]
    [InlineData("static void kvm_mmu_notifier_release(kvm kvm, kvm_gfn_range gfn_range)", null)]
    [InlineData("[GfnGuard.Runtime.HvaPath] static void on_release(kvm kvm, kvm_gfn_range gfn_range)", null)]
    [InlineData("static void on_release(kvm kvm, kvm_gfn_range gfn_range, in mmu_notifier_range range)", null)]
    [InlineData("static void OnRelease(kvm kvm, kvm_gfn_range gfn_range)", "gfnguard.hva_path_methods = KvmMain.OnRelease")]
    public Task EachWayToBeAnHvaPath_AloneInItsFile_Reports(string signature, string? editorConfig)
    {
        var test = new Verify.Test();
        test.TestState.Sources.Add(("/Port.cs", $$"""
            using static Kernel;

            static class KvmMain
            {
                {{signature}}
                {
                    gfn_range.only_shared = true;
                    {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
                }
            }
            """));
        test.TestState.Sources.Add(("/Kernel.cs", "using System.Threading;\n" + KernelPort.Declarations));
        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        }

        return Verify.VerifyAsync(test);
    }

    [Fact]
    public Task FaithfulPort_OfTheNotifier_HasNoDiagnostic() => VerifyPort(KernelPort.FaithfulNotifier);

    /// <summary>
    /// Upstream's gfn-based kvm_handle_gfn_range takes a kvm_mmu_notifier_range as the HVA walk
    /// does, but walks memslots by gfn and clears both flags: it is no HVA-based path (SPEC 3).
    /// </summary>
    [Fact]
    public Task FaithfulPort_OfTheAttributePath_HasNoDiagnostic() => VerifyPort(KernelPort.FaithfulGfnRangePath);

    [Fact]
    public Task AKvmMmuNotifierRangeParameter_Alone_IsNoHvaPath() => VerifyPort("""
        static class KvmMain
        {
            static bool zap_all(kvm kvm, kvm_gfn_range gfn_range, in kvm_mmu_notifier_range range)
            {
                gfn_range.only_shared = false;
                return kvm_unmap_gfn_range(kvm, ref gfn_range);
            }
        }
        """);

    /// <summary>A method becomes an HVA-based path by walking the memslots by HVA, whatever it is named.</summary>
    [Theory]
    [InlineData("foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, start, end - 1))")]
    [InlineData("foreach (var slot in new[] { hva_to_gfn_memslot(start, null) })")]
    public Task AMethodThatWalksMemslotsByHva_IsAnHvaPath(string walk) => VerifyPort($$"""
        static class KvmMain
        {
            static ulong hva_to_gfn_memslot(ulong hva, kvm_memory_slot slot) => hva >> 12;

            static bool walk_and_zap(kvm kvm, ulong start, ulong end)
            {
                var ret = false;
                {{walk}}
                {
                    var gfn_range = new kvm_gfn_range { start = start, end = end };
                    ret |= {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
                }

                return ret;
            }
        }
        """);

    [Fact]
    public Task SharedOnlyRange_IsFine() => VerifyPort("""
        static class KvmMain
        {
            static bool __kvm_handle_hva_range(kvm kvm, in kvm_mmu_notifier_range range)
            {
                kvm_gfn_range gfn_range;
                gfn_range.slot = null;
                gfn_range.start = range.start;
                gfn_range.end = range.end;
                gfn_range.may_block = range.may_block;
                gfn_range.only_private = false;
                gfn_range.only_shared = true;
                return range.handler(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task OnlySharedTrueButOnlyPrivateUnknown_Reports() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_handle_hva_range(kvm kvm, kvm_gfn_range template, gfn_handler_t handler)
            {
                var gfn_range = template;
                gfn_range.only_shared = true;
                {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """);

    [Fact]
    public Task SharedOnlyOnOnePathOnly_Reports() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_clear_young(kvm kvm, ulong start, ulong end, bool fromHva)
            {
                var gfn_range = new kvm_gfn_range { start = start, end = end };
                if (fromHva)
                    gfn_range.only_shared = true;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """);

    [Fact]
    public Task PrivateOnlyRange_OnAnHvaPath_Reports() => VerifyPort("""
        static class KvmMain
        {
            static void kvm_mmu_notifier_invalidate_range_start(kvm kvm, ulong start, ulong end)
            {
                var gfn_range = new kvm_gfn_range { start = start, end = end, only_private = true };
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """);

    [Fact]
    public Task HvaRangeParameterType_MakesAnHvaPath() => VerifyPort("""
        struct kvm_hva_range { public ulong start, end; }
        static class KvmMain
        {
            static void walk(kvm kvm, kvm_hva_range hva)
            {
                var gfn_range = new kvm_gfn_range { start = hva.start, end = hva.end };
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }
        }
        """);

    [Fact]
    public Task HvaPathAttributeAndConfiguredName() => VerifyPort("""
        [System.AttributeUsage(System.AttributeTargets.All)] sealed class HvaPathAttribute : System.Attribute { }
        static class Sim
        {
            [HvaPath]
            static void OnMunmap(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }

            static void OnMigrate(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref gfn_range)|};
            }

            static void OnPunchHole(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { only_private = true };
                kvm_unmap_gfn_range(kvm, ref gfn_range);
            }
        }
        """, "gfnguard.hva_path_methods = Sim.OnMigrate");

    [Fact]
    public Task RuntimeTypes_OnARuntimeHvaRangePath() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        static class Port
        {
            static bool Walk(Kvm kvm, KvmHvaRange range, KvmMemorySlot slot)
            {
                var shared = new KvmGfnRange(slot, 0, 1) { OnlyShared = true };
                var unfiltered = new KvmGfnRange(slot, 0, 1);
                return range.Handler!(kvm, ref shared) | {|KVM0002:range.Handler!(kvm, ref unfiltered)|};
            }
        }
        """);

    [Fact]
    public Task HelperThatMakesTheRangeSharedOnly_IsFollowed_AndOtherRefCalleesReceiveTheRange() => VerifyPort("""
        static class KvmMain
        {
            static void make_shared_only(ref kvm_gfn_range range)
            {
                range.only_private = false;
                range.only_shared = true;
            }

            static void log(ref kvm_gfn_range range) { }

            static void kvm_mmu_notifier_release(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range();
                {|KVM0002:log(ref gfn_range)|};
                make_shared_only(ref gfn_range);
                kvm_unmap_gfn_range(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task HelperOnThis_IsFollowed() => VerifyPort("""
        [GfnGuard.Runtime.GfnRange]
        struct Filter
        {
            public bool OnlyPrivate, OnlyShared;
            public void SharedOnly() { OnlyPrivate = false; OnlyShared = true; }
        }
        static class Sim
        {
            static void Handle(Filter f) { }
            static void kvm_mmu_notifier_test_young(kvm kvm)
            {
                var f = new Filter();
                f.SharedOnly();
                Handle(f);
                f.OnlyPrivate = true;
                {|KVM0002:Handle(f)|};
            }
        }
        """);

    [Fact]
    public Task RangeFromAnUnknownSource_IsNotDefinitelySharedOnly() => VerifyPort("""
        static class KvmMain
        {
            static kvm_gfn_range next() => default;
            static void kvm_mmu_notifier_change_pte(kvm kvm)
            {
                var r = next();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref r)|};
            }
        }
        """);

    [Fact]
    public Task NonHvaPaths_MayPassAnyRange() => VerifyPort("""
        static class GuestMemfd
        {
            static void kvm_gmem_invalidate_begin(kvm kvm, kvm_memory_slot slot)
            {
                var gfn_range = new kvm_gfn_range { slot = slot, only_private = true, may_block = true };
                kvm_unmap_gfn_range(kvm, ref gfn_range);
            }

            static void kvm_vm_set_mem_attributes(kvm kvm)
            {
                var gfn_range = new kvm_gfn_range { only_private = false, only_shared = false };
                kvm_unmap_gfn_range(kvm, ref gfn_range);
            }
        }
        """);

    [Fact]
    public Task LambdaInsideAnHvaPath_RunsElsewhere() => VerifyPort("""
        static class KvmMain
        {
            static System.Action kvm_mmu_notifier_invalidate_range_end(kvm kvm)
            {
                return () => { var r = new kvm_gfn_range(); kvm_unmap_gfn_range(kvm, ref r); };
            }
        }
        """);

    /// <summary>
    /// A handler the compilation cannot see into (a delegate) that gets the range by ref does
    /// not change its flags (SPEC section 2): a range built shared-only once, before the memslot
    /// loop, is still shared-only at the second iteration's call.
    /// </summary>
    [Fact]
    public Task ARangeBuiltBeforeTheLoop_HandedByRefToADelegateEachIteration_IsFine() => VerifyPort("""
        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm, ulong start, ulong end, gfn_handler_t handler)
            {
                var gfn_range = new kvm_gfn_range { only_private = false, only_shared = true };
                var ret = false;
                foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, start, end - 1))
                {
                    gfn_range.slot = slot;
                    gfn_range.start = slot.base_gfn;
                    ret |= handler(kvm, ref gfn_range);
                }

                return ret;
            }
        }
        """);

    /// <summary>A helper of the compilation that rewrites the flags is still followed: its summary changes them.</summary>
    [Fact]
    public Task ARangeHandedByRefToAHelperThatClearsOnlyShared_IsReportedAfterIt() => VerifyPort("""
        static class KvmMain
        {
            static void widen(ref kvm_gfn_range range) => range.only_shared = false;

            static bool kvm_handle_hva_range(kvm kvm, ulong start, ulong end, gfn_handler_t handler)
            {
                var gfn_range = new kvm_gfn_range { only_private = false, only_shared = true };
                var ret = handler(kvm, ref gfn_range);
                widen(ref gfn_range);
                return ret | {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """);

    /// <summary>A pattern test narrows on its true side (SPEC section 2), and a single flag test on its false side.</summary>
    [Fact]
    public Task PatternTests_Narrow() => VerifyPort("""
        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm, kvm_gfn_range gfn_range, gfn_handler_t handler)
            {
                if (gfn_range is { only_shared: true, only_private: false })
                    return handler(kvm, ref gfn_range);

                if (gfn_range.only_private is false && gfn_range.only_shared is true)
                    return handler(kvm, ref gfn_range);

                if (gfn_range is not { only_shared: true })
                    return {|KVM0002:handler(kvm, ref gfn_range)|};

                if (gfn_range is { only_private: true })
                    return {|KVM0002:handler(kvm, ref gfn_range)|};

                // Shared by the `is not` test's false side, private cleared by the test above.
                return handler(kvm, ref gfn_range);
            }
        }
        """);

    /// <summary>A flag stored from a conditional (through the capture the graph makes of the member) is the flag's.</summary>
    [Fact]
    public Task AConditionalStoredIntoAFlag_IsTheFlags() => VerifyPort("""
        static class KvmMain
        {
            static bool kvm_mmu_notifier_clear_young(kvm kvm, gfn_handler_t handler, bool young)
            {
                var gfn_range = new kvm_gfn_range { only_private = true };
                gfn_range.only_private = young ? false : false;
                gfn_range.only_shared = true;
                var ret = handler(kvm, ref gfn_range);
                gfn_range.only_shared = young ? true : false;
                return ret | {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """);

    /// <summary>
    /// <c>not</c> swaps a pattern's sides, and <c>and</c> / <c>or</c> narrow where they hold / fail:
    /// a port's early return <c>if (range is not { OnlyShared: true, OnlyPrivate: false }) return;</c>
    /// leaves a shared-only range behind it.
    /// </summary>
    [Fact]
    public Task NegatedAndCombinedPatterns_Narrow() => VerifyPort("""
        static class KvmMain
        {
            static bool kvm_mmu_notifier_clear_young(kvm kvm, kvm_gfn_range gfn_range, gfn_handler_t handler)
            {
                if (gfn_range is not { only_shared: true, only_private: false })
                    return {|KVM0002:handler(kvm, ref gfn_range)|};

                return handler(kvm, ref gfn_range);
            }

            static bool kvm_mmu_notifier_test_young(kvm kvm, kvm_gfn_range gfn_range, gfn_handler_t handler)
            {
                if (gfn_range.only_shared is not true || gfn_range.only_private is true)
                    return false;

                return handler(kvm, ref gfn_range);
            }

            static bool kvm_mmu_notifier_clear_flush_young(kvm kvm, kvm_gfn_range gfn_range, gfn_handler_t handler)
            {
                if (gfn_range is { only_shared: true } and { only_private: false })
                    return handler(kvm, ref gfn_range);

                if (gfn_range is { only_shared: true } or { only_private: false })
                    return {|KVM0002:handler(kvm, ref gfn_range)|};

                return false;
            }
        }
        """);

    /// <summary>
    /// A helper's summary is evaluated with the call's arguments (SPEC section 2):
    /// <c>init(ref r, shared: true)</c> writing <c>only_shared = shared; only_private = !shared</c>
    /// leaves the range shared-only at that call, and not at <c>init(ref r, shared: false)</c>.
    /// </summary>
    [Fact]
    public Task AHelpersSummary_IsEvaluatedWithTheArguments() => VerifyPort("""
        static class KvmMain
        {
            static void init(ref kvm_gfn_range range, bool shared)
            {
                range.only_shared = shared;
                range.only_private = !shared;
            }

            static bool kvm_handle_hva_range(kvm kvm, gfn_handler_t handler)
            {
                var gfn_range = new kvm_gfn_range();
                init(ref gfn_range, shared: true);
                var ret = handler(kvm, ref gfn_range);
                init(ref gfn_range, false);
                return ret | {|KVM0002:handler(kvm, ref gfn_range)|};
            }
        }
        """);

    /// <summary>
    /// An assignment as the argument (`handler(kvm, r = new kvm_gfn_range { ... })`) passes the
    /// local it stores into; the graph captures the target before the initializer runs, and the
    /// argument's place was lost with the capture (a false KVM0002).
    /// </summary>
    [Fact]
    public Task AnAssignmentAsTheArgument_PassesWhatItStores() => VerifyPort("""
        static class KvmMain
        {
            static bool kvm_handle_hva_range(kvm kvm)
            {
                kvm_gfn_range r = default;
                var ret = kvm_age(kvm, r = new kvm_gfn_range { only_shared = true });
                ret |= kvm_unmap_gfn_range(kvm, ref r);
                return ret | {|KVM0002:kvm_age(kvm, r = new kvm_gfn_range { only_private = true })|};
            }

            static bool kvm_age(kvm kvm, kvm_gfn_range range) => false;
        }
        """);
}
