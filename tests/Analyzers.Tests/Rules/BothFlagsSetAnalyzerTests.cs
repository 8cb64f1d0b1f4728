using System.Threading.Tasks;
using GfnGuard.Analyzers.Rules;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>KVM0001: a gfn range must never have OnlyPrivate and OnlyShared both true.</summary>
public sealed class BothFlagsSetAnalyzerTests
{
    private const string KernelRange = """
        public struct kvm_memory_slot { }
        public struct kvm_gfn_range
        {
            public kvm_memory_slot slot;
            public ulong start, end;
            public bool only_private;
            public bool only_shared;
            public bool may_block;
        }
        """;

    [Fact]
    public Task ObjectInitializer_BothTrue_ReportsSecondMember() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M() => new KvmGfnRange { Start = 1, OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """);

    [Fact]
    public Task ObjectInitializer_SharedFirst_ReportsPrivate() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var range = new KvmGfnRange { OnlyShared = true, {|KVM0001:OnlyPrivate = true|} };
            }
        }
        """);

    [Fact]
    public Task TargetTypedNew_OfARangeTypeDeclaredOnlyInAReferencedLibrary_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            // No tree spells the range type: the gate knows it exists from the runtime's metadata.
            long M(Kvm kvm, KvmMemorySlot slot) =>
                KvmMmu.ZapSpteRange(kvm, new(slot, 0, 16) { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} }, privateSide: false);
        }
        """);

    [Fact]
    public Task MemberAssignmentsInSequence_Report() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(KvmMemorySlot slot)
            {
                var range = new KvmGfnRange(slot, 0, 16);
                range.OnlyPrivate = true;
                range.MayBlock = true;
                {|KVM0001:range.OnlyShared = true|};
            }
        }
        """);

    [Fact]
    public Task KernelNamedStruct_InAnyNamespace_Reports() => Verify.VerifyAsync(
        "namespace Port.Kvm {\n" + KernelRange + """

        static class KvmMain
        {
            static void kvm_gmem_invalidate(kvm_memory_slot slot)
            {
                kvm_gfn_range gfn_range;
                gfn_range.slot = slot;
                gfn_range.start = 0;
                gfn_range.end = 8;
                gfn_range.only_private = true;
                {|KVM0001:gfn_range.only_shared = true|};
                gfn_range.may_block = true;
            }
        }
        }
        """, withRuntime: false);

    [Fact]
    public Task PascalCaseTypeOfThePort_Reports() => Verify.VerifyAsync("""
        namespace MyHypervisor;
        public class KvmGfnRange { public bool OnlyPrivate { get; set; } public bool OnlyShared { get; set; } }
        class C
        {
            KvmGfnRange M() => new KvmGfnRange { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """, withRuntime: false);

    [Fact]
    public Task TypeMarkedWithRuntimeAttribute_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        [GfnRange]
        struct ZapRequest { public bool OnlyPrivate; public bool OnlyShared; }
        class C
        {
            void M()
            {
                var request = new ZapRequest();
                request.OnlyShared = true;
                {|KVM0001:request.OnlyPrivate = true|};
            }
        }
        """);

    [Fact]
    public Task TypeMarkedWithPortsOwnAttributeCopy_Reports() => Verify.VerifyAsync("""
        namespace Port.Annotations { [System.AttributeUsage(System.AttributeTargets.All)] sealed class GfnRangeAttribute : System.Attribute { } }
        namespace Port
        {
            [Port.Annotations.GfnRange]
            sealed class Filter { public bool only_private; public bool only_shared; }
            class C
            {
                Filter M() => new Filter { only_private = true, {|KVM0001:only_shared = true|} };
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task PositionalRecord_NamedArguments_ReportsSecondArgument() => Verify.VerifyAsync("""
        record struct kvm_gfn_range(ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared);
        class C
        {
            kvm_gfn_range M() => new kvm_gfn_range(0, 1, OnlyPrivate: true, {|KVM0001:OnlyShared: true|});
        }
        """, withRuntime: false);

    [Fact]
    public Task PositionalRecord_PositionalArguments_ReportsSecondArgument() => Verify.VerifyAsync("""
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate, bool OnlyShared);
        class C
        {
            KvmGfnRange M() => new KvmGfnRange(0, 1, true, {|KVM0001:true|});
        }
        """, withRuntime: false);

    [Fact]
    public Task HandWrittenConstructor_MatchesParametersByName() => Verify.VerifyAsync("""
        struct kvm_gfn_range
        {
            public bool only_private, only_shared;
            public kvm_gfn_range(bool only_private, bool only_shared) { this.only_private = only_private; this.only_shared = only_shared; }
        }
        class C
        {
            kvm_gfn_range M() => new kvm_gfn_range(true, {|KVM0001:true|});
        }
        """, withRuntime: false);

    [Fact]
    public Task WithExpression_AddsSecondFlag_Reports() => Verify.VerifyAsync("""
        record KvmGfnRange(ulong Start, ulong End, bool OnlyPrivate = false, bool OnlyShared = false);
        class C
        {
            KvmGfnRange M()
            {
                var privateRange = new KvmGfnRange(0, 1, OnlyPrivate: true);
                return privateRange with { End = 2, {|KVM0001:OnlyShared = true|} };
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task StructWithExpression_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(KvmGfnRange shared) => (shared with { OnlyShared = true }) with { {|KVM0001:OnlyPrivate = true|} };
        }
        """);

    [Fact]
    public Task Constants_AreFollowed() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            const bool Private = true;
            static class Flags { public const bool Shared = true; }
            KvmGfnRange M() => new KvmGfnRange { OnlyPrivate = Private, {|KVM0001:OnlyShared = Flags.Shared|} };
        }
        """);

    [Fact]
    public Task BoolLocals_AreFollowed() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                bool isPrivate = true;
                bool isShared = !false;
                var range = new KvmGfnRange();
                range.OnlyPrivate = isPrivate;
                {|KVM0001:range.OnlyShared = isShared|};
            }
        }
        """);

    [Fact]
    public Task StructCopy_CarriesFlags() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var original = new KvmGfnRange { OnlyPrivate = true };
                var copy = original;
                {|KVM0001:copy.OnlyShared = true|};
            }
        }
        """);

    [Fact]
    public Task RefLocal_AliasesItsTarget() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var range = new KvmGfnRange();
                ref var alias = ref range;
                alias.OnlyPrivate = true;
                {|KVM0001:range.OnlyShared = true|};
            }
        }
        """);

    [Fact]
    public Task RefParameter_Reports() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void prepare(ref kvm_gfn_range range)
            {
                range.only_shared = true;
                {|KVM0001:range.only_private = true|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task FieldOfThis_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class Invalidation
        {
            KvmGfnRange _range;
            void M()
            {
                _range.OnlyPrivate = true;
                {|KVM0001:this._range.OnlyShared = true|};
            }
        }
        """);

    [Fact]
    public Task IndependentConditions_CanBothBeTrue() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(bool fromGmem, bool fromHva)
            {
                var range = new KvmGfnRange();
                if (fromGmem)
                    range.OnlyPrivate = true;
                if (fromHva)
                    {|KVM0001:range.OnlyShared = true|};
                return range;
            }
        }
        """);

    [Fact]
    public Task LoopBackEdge_CarriesFlagIntoNextIteration() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(int n)
            {
                var range = new KvmGfnRange();
                for (var i = 0; i < n; i++)
                {
                    if (i % 2 == 0)
                        {|KVM0001:range.OnlyShared = true|};
                    else
                        {|KVM0001:range.OnlyPrivate = true|};
                }
            }
        }
        """);

    [Fact]
    public Task SwitchSections_FallIntoSharedCode() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(int source)
            {
                var range = new KvmGfnRange();
                switch (source)
                {
                    case 0: range.OnlyPrivate = true; break;
                    case 1: break;
                }
                {|KVM0001:range.OnlyShared = true|};
                return range;
            }
        }
        """);

    [Fact]
    public Task TryFinally_FinallySeesTryStores() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var range = new KvmGfnRange();
                try { range.OnlyPrivate = true; }
                finally { {|KVM0001:range.OnlyShared = true|}; }
            }
        }
        """);

    [Fact]
    public Task InsideLambda_IsAnalyzed() => Verify.VerifyAsync("""
        using System;
        using GfnGuard.Runtime;
        class C
        {
            Func<KvmGfnRange> M() => () => new KvmGfnRange { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """);

    [Fact]
    public Task InsideLocalFunction_IsAnalyzed() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                Local();
                static void Local()
                {
                    var r = new KvmGfnRange();
                    r.OnlyShared = true;
                    {|KVM0001:r.OnlyPrivate = true|};
                }
            }
        }
        """);

    [Fact]
    public Task ChainedAssignment_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var r = new KvmGfnRange();
                {|KVM0001:r.OnlyShared = r.OnlyPrivate = true|};
            }
        }
        """);

    [Fact]
    public Task CompoundOr_Reports() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                {|KVM0001:r.OnlyShared |= true|};
            }
        }
        """);

    [Fact]
    public Task TestedFlag_IsTrueInsideTheBranch() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(ref KvmGfnRange range)
            {
                if (range.OnlyPrivate)
                    {|KVM0001:range.OnlyShared = true|};
            }
        }
        """);

    [Fact]
    public Task ConfiguredTypeName_IsARange() => Verify.VerifyAsync("""
        namespace Sim;
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        class C
        {
            ZapFilter M() => new ZapFilter { OnlyPrivate = true, {|KVM0001:OnlyShared = true|} };
        }
        """, editorConfig: "gfnguard.gfn_range_types = Other, Sim.ZapFilter", withRuntime: false);

    // ---- no diagnostic -------------------------------------------------------------------------

    [Fact]
    public Task IfElseArms_CannotBothBeTrue() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(bool fromGmem)
            {
                var range = new KvmGfnRange();
                if (fromGmem)
                    range.OnlyPrivate = true;
                else
                    range.OnlyShared = true;
                return range;
            }
        }
        """);

    [Fact]
    public Task ConditionalExpression_ChoosesOneFlag() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(bool fromGmem) =>
                fromGmem ? new KvmGfnRange { OnlyPrivate = true } : new KvmGfnRange { OnlyShared = true };
        }
        """);

    [Fact]
    public Task FlagClearedBeforeSecondSet_NoDiagnostic() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                r.OnlyPrivate = false;
                r.OnlyShared = true;
            }
        }
        """);

    [Fact]
    public Task OneFlagOrNeither_NoDiagnostic() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M(KvmMemorySlot slot)
            {
                var shared = new KvmGfnRange(slot, 0, 1) { OnlyShared = true, OnlyPrivate = false };
                var both = new KvmGfnRange(slot, 0, 1) { OnlyShared = false, OnlyPrivate = false };
                var priv = new KvmGfnRange { OnlyPrivate = true };
                priv.OnlyPrivate = true;
            }
        }
        """);

    [Fact]
    public Task DifferentRanges_NoDiagnostic() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var a = new KvmGfnRange();
                var b = new KvmGfnRange();
                a.OnlyPrivate = true;
                b.OnlyShared = true;
            }
        }
        """);

    /// <summary>
    /// SPEC section 2: a value the method cannot see may be true, and a method with no caller in
    /// the compilation is checked with its parameters unknown, so two independent ones can both be
    /// true; a value and its negation cannot.
    /// </summary>
    [Fact]
    public Task ValuesFromOutside_MayBeTrue_ButNotBothOfXAndNotX() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M(bool onlyPrivate, bool onlyShared, bool isPrivate)
            {
                var a = new KvmGfnRange { OnlyPrivate = onlyPrivate, {|KVM0001:OnlyShared = onlyShared|} };
                var b = new KvmGfnRange { OnlyPrivate = isPrivate, OnlyShared = !isPrivate };
                return a;
            }
        }
        """);

    [Fact]
    public Task CallThatTakesTheRangeByRef_ForgetsItsFlags() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            static void Reset(ref KvmGfnRange r) { r.OnlyPrivate = false; }
            void M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                Reset(ref r);
                r.OnlyShared = true;
            }
        }
        """);

    [Fact]
    public Task HelperSettingAFlagByRef_ReportsTheCall() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void mark_shared(ref kvm_gfn_range range) { range.only_shared = true; }
            static void prepare(kvm_memory_slot slot)
            {
                var range = new kvm_gfn_range { slot = slot, only_private = true };
                {|KVM0001:mark_shared(ref range)|};
            }
        }
        """, withRuntime: false);

    /// <summary>
    /// A helper that sets the flags from its parameters on some paths and leaves them as given on
    /// others: each path's values are bound to the call's arguments before they are joined, so a
    /// fresh range given (true, false) is fine, and (true, true), or a range that already had the
    /// other flag, is reported at the call.
    /// </summary>
    [Fact]
    public Task HelperSettingFlagsOnSomePaths_IsBoundPathByPath() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void maybe_fill(ref kvm_gfn_range r, bool p, bool s, bool apply)
            {
                if (apply)
                {
                    r.only_private = p;
                    r.only_shared = s;
                }
            }

            static void prepare(bool apply)
            {
                var fresh = new kvm_gfn_range();
                maybe_fill(ref fresh, true, false, apply);

                var both = new kvm_gfn_range();
                {|KVM0001:maybe_fill(ref both, true, true, apply)|};

                var shared = new kvm_gfn_range { only_shared = true };
                maybe_fill(ref shared, false, true, apply);
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelpersSettingEachFlag_ReportTheSecondCall() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void mark_private(ref kvm_gfn_range range) { range.only_private = true; }
            static void mark_shared(ref kvm_gfn_range range) { range.only_shared = true; }
            static void prepare(kvm_gfn_range range)
            {
                mark_private(ref range);
                {|KVM0001:mark_shared(ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelperChain_IsFollowed() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void set_shared(ref kvm_gfn_range range) { range.only_shared = true; }
            static void mark_shared(ref kvm_gfn_range range) { set_shared(ref range); }
            static void prepare(kvm_gfn_range range)
            {
                range.only_private = true;
                {|KVM0001:mark_shared(ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelperSettingAFlagOnThis_ReportsTheCall() => Verify.VerifyAsync("""
        public struct GfnRange
        {
            public bool OnlyPrivate;
            public bool OnlyShared;
            public void MakeShared() { OnlyShared = true; }
        }
        class C
        {
            void M()
            {
                var range = new GfnRange { OnlyPrivate = true };
                {|KVM0001:range.MakeShared()|};
            }
        }
        """, editorConfig: "gfnguard.gfn_range_types = GfnRange", withRuntime: false);

    [Fact]
    public Task HelperFillingAnOutRange_IsFollowed() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void private_range(out kvm_gfn_range range) { range = new kvm_gfn_range { only_private = true }; }
            static void prepare()
            {
                private_range(out var range);
                {|KVM0001:range.only_shared = true|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelperOnAClassRange_ThroughItsReference() => Verify.VerifyAsync("""
        [GfnGuard.Runtime.GfnRange]
        public sealed class Range { public bool OnlyPrivate; public bool OnlyShared; }
        class C
        {
            static void Share(Range range) { range.OnlyShared = true; }
            void M()
            {
                var range = new Range { OnlyPrivate = true };
                {|KVM0001:Share(range)|};
            }
        }
        """);

    [Fact]
    public Task HelperThatSetsOneFlagAndClearsTheOther_NoDiagnostic() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void make_shared_only(ref kvm_gfn_range range) { range.only_shared = true; range.only_private = false; }
            static void prepare(kvm_gfn_range range)
            {
                range.only_private = true;
                make_shared_only(ref range);
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelperThatReplacesTheWholeRange_NoDiagnostic() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void reset(ref kvm_gfn_range range) { range = default; }
            static void prepare(kvm_gfn_range range)
            {
                range.only_private = true;
                reset(ref range);
                range.only_shared = true;
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task HelperThatSetsBoth_IsReportedOnceInItsBody() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static void both(ref kvm_gfn_range range) { range.only_private = true; {|KVM0001:range.only_shared = true|}; }
            static void prepare(kvm_gfn_range range)
            {
                both(ref range);
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task CopyTakenBeforeTheSecondFlag_IsNotReported() => Verify.VerifyAsync("""
        using GfnGuard.Runtime;
        class C
        {
            void M()
            {
                var original = new KvmGfnRange { OnlyPrivate = true };
                var copy = original;
                copy.OnlyPrivate = false;
                copy.OnlyShared = true;
                original.OnlyPrivate = true;
            }
        }
        """);

    [Fact]
    public Task FaithfulPort_OfTheNotifier_HasNoDiagnostic() => Verify.VerifyAsync("using static Kernel;\n" + KernelPort.Declarations + "\n" + KernelPort.FaithfulNotifier);

    [Fact]
    public Task LookAlikeType_IsNotARange() => Verify.VerifyAsync("""
        class GfnRangeish { public bool OnlyPrivate; public bool OnlyShared; }
        struct kvm_hva_range { public bool only_private; public bool only_shared; }
        class C
        {
            void M()
            {
                var a = new GfnRangeish { OnlyPrivate = true, OnlyShared = true };
                var b = new kvm_hva_range { only_private = true, only_shared = true };
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task FlagNamedMembersThatAreNotBool_AreNotFlags() => Verify.VerifyAsync("""
        struct kvm_gfn_range { public int only_private; public string only_shared; public static bool OnlyPrivate; public bool OnlyShared; }
        class C
        {
            void M()
            {
                var r = new kvm_gfn_range { only_private = 1, only_shared = "yes" };
                kvm_gfn_range.OnlyPrivate = true;
                r.OnlyShared = true;
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task UnconfiguredTypeName_IsNotARange() => Verify.VerifyAsync("""
        struct ZapFilter { public bool OnlyPrivate; public bool OnlyShared; }
        class C
        {
            ZapFilter M() => new ZapFilter { OnlyPrivate = true, OnlyShared = true };
        }
        """, editorConfig: "gfnguard.gfn_range_types = SomethingElse", withRuntime: false);

    [Fact]
    public Task GeneratedCode_IsSkipped() => Verify.VerifyAsync("""
        // <auto-generated/>
        using GfnGuard.Runtime;
        class C
        {
            KvmGfnRange M() => new KvmGfnRange { OnlyPrivate = true, OnlyShared = true };
        }
        """);

    [Fact]
    public Task LambdaDefinedAfterFlagIsSet_DoesNotSeeIt() => Verify.VerifyAsync("""
        using System;
        using GfnGuard.Runtime;
        class C
        {
            Action M()
            {
                var r = new KvmGfnRange { OnlyPrivate = true };
                return () => { var other = new KvmGfnRange(); other.OnlyShared = true; };
            }
        }
        """);

    /// <summary>Shapes the fuzz test found sending the engine into endless recursion (a stack overflow kills the compiler).</summary>
    [Fact]
    public Task DeconstructionDeclarations_AndPatternInputs_AreEvaluatedWithoutRecursion() => Verify.VerifyAsync(KernelRange + """

        static class Handlers
        {
            static bool M(kvm_gfn_range range, (bool, bool) pair)
            {
                var (p, s) = pair;
                range.only_private = p;
                {|KVM0001:range.only_shared = s|};
                var (a, b) = (range.only_private, range.only_shared);
                if (range is { only_private: true } r && r.only_shared)
                    range.only_shared = false;
                return a && b;
            }
        }
        """, withRuntime: false);
}
