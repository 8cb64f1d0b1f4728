using System.Threading.Tasks;
using Verify = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// KVM0001 follows values, not just constant <c>true</c> (SPEC section 2): a value the method
/// cannot see may be true or false, so two flags set from independent values can both be true;
/// <c>x</c> and <c>!x</c> exclude each other; comparisons, setters and computed constants are values
/// like any other; and a hand-written constructor is a helper like any other.
/// </summary>
public sealed class FlagValueFormTests
{
    private const string Range = "public struct kvm_gfn_range { public ulong start, end; public bool only_private; public bool only_shared; }\n";

    private static Task Verify_(string source) => Verify.VerifyAsync(Range + source, withRuntime: false);

    [Fact]
    public Task IndependentValues_CanBothBeTrue() => Verify_("""
        static class C
        {
            static kvm_gfn_range M(bool p, bool s)
            {
                var r = new kvm_gfn_range();
                r.only_private = p;
                {|KVM0001:r.only_shared = s|};
                return r;
            }
        }
        """);

    [Fact]
    public Task AValueAndItsNegation_ExcludeEachOther() => Verify_("""
        static class C
        {
            static kvm_gfn_range M(bool x)
            {
                var r = new kvm_gfn_range();
                r.only_private = !x;
                r.only_shared = x;
                return r;
            }

            static kvm_gfn_range N(bool x) => new kvm_gfn_range { only_private = x, only_shared = !x };

            static kvm_gfn_range O(kvm_gfn_range from)
            {
                var isPrivate = from.start > 7;
                var r = new kvm_gfn_range();
                r.only_shared = !isPrivate;
                r.only_private = isPrivate;
                return r;
            }
        }
        """);

    [Fact]
    public Task Comparisons_AreValues() => Verify_("""
        static class C
        {
            static kvm_gfn_range M(ulong start, ulong end) => new kvm_gfn_range { only_private = start > 0, {|KVM0001:only_shared = end > 0|} };
        }
        """);

    [Fact]
    public Task ASetterWritingBothFromValue_Reports() => Verify_("""
        sealed class Filter
        {
            public kvm_gfn_range Range;

            public bool Both
            {
                set
                {
                    Range.only_private = value;
                    {|KVM0001:Range.only_shared = value|};
                }
            }
        }
        """);

    [Fact]
    public Task ComputedConstantMasks_AreConstants() => Verify_("""
        static class C
        {
            const int Shared = 1 << 0;
            const int Private = 1 << 1;
            const int Both = Shared | Private;

            static kvm_gfn_range M() => new kvm_gfn_range { only_private = (Both & Private) != 0, {|KVM0001:only_shared = (Both & Shared) != 0|} };

            static kvm_gfn_range N() => new kvm_gfn_range { only_private = (Shared & Private) != 0, only_shared = (Shared & Shared) != 0 };
        }
        """);

    [Fact]
    public Task AHandWrittenParameterlessConstructor_IsAHelper() => Verify.VerifyAsync("""
        sealed class R
        {
            public bool only_private;
            public bool only_shared;

            public R()
            {
                only_private = true;
            }
        }

        static class kvm_gfn_range_users
        {
            static R M()
            {
                var r = new R();
                {|KVM0001:r.only_shared = true|};
                return r;
            }
        }
        """, "gfnguard.gfn_range_types = R", withRuntime: false);

    /// <summary>
    /// A flag taken from the method's own parameter is followed into its callers (SPEC section 2):
    /// a constructor that copies two independent parameters is not reported in its body when the
    /// compilation calls it; a call that passes true for both is.
    /// </summary>
    [Fact]
    public Task ParametersOfAMethodWithCallers_AreFollowedIntoTheCallers() => Verify.VerifyAsync("""
        sealed class R
        {
            public bool only_private;
            public bool only_shared;

            public R(bool isPrivate, bool isShared)
            {
                only_private = isPrivate;
                only_shared = isShared;
            }
        }

        static class Users
        {
            static R Fine() => new R(true, false);

            static R Broken() => {|KVM0001:new R(true, true)|};
        }
        """, "gfnguard.gfn_range_types = R", withRuntime: false);

    /// <summary>
    /// The callers of a method that builds a range from its parameters decide (SPEC section 2):
    /// the call that passes two values that can both be true is reported, at the call, and a
    /// method that passes its own parameters on passes the question to its own callers.
    /// </summary>
    [Fact]
    public Task ARangeBuiltFromParameters_IsCheckedAtEachCall() => Verify_("""
        static class C
        {
            static bool zap(ref kvm_gfn_range range) => range.end > range.start;

            static bool zap_filtered(bool p, bool s)
            {
                var r = new kvm_gfn_range { only_private = p, only_shared = s };
                return zap(ref r);
            }

            static bool Fine() => zap_filtered(true, false);

            static bool Broken() => {|KVM0001:zap_filtered(true, true)|};

            static bool Negated(bool a) => zap_filtered(a, !a);

            static bool Outer(bool a, bool b) => zap_filtered(a, b);

            static bool Top() => {|KVM0001:Outer(true, true)|};
        }
        """);

    /// <summary>
    /// Two tests of one value against different constants cannot both hold (the runtime's own
    /// KvmGfnRange.WithFilter writes OnlyShared = filter == Shared, OnlyPrivate = filter == Private).
    /// </summary>
    [Fact]
    public Task TestsOfOneValueAgainstDifferentConstants_ExcludeEachOther() => Verify_("""
        static class C
        {
            static kvm_gfn_range Fine(int kind) => new kvm_gfn_range { only_private = kind == 1, only_shared = kind == 2 };

            static kvm_gfn_range Broken(int kind) => new kvm_gfn_range { only_private = kind == 1, {|KVM0001:only_shared = kind != 2|} };
        }
        """);

    /// <summary>`flag &amp;= x` where the flag is false stays false, and `flag |= x` where it is true stays true (a false KVM0001 before).</summary>
    [Fact]
    public Task CompoundStoresOfAKnownFlag_KeepWhatTheyCannotChange() => Verify_("""
        static class C
        {
            static kvm_gfn_range shared(bool young)
            {
                var r = new kvm_gfn_range();
                r.only_shared |= true;
                r.only_private &= young;
                return r;
            }

            static kvm_gfn_range both(bool young)
            {
                var r = new kvm_gfn_range { only_shared = true };
                {|KVM0001:r.only_private |= young|};
                return r;
            }
        }
        """);
}
