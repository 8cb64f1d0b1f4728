using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A test of one place against a constant is one value however it is written (SPEC 2: an
/// unknown keeps where it came from): <c>(attributes &amp; KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0</c> and
/// <c>== 0</c> are each other's negation, as are <c>HasFlag</c> and <c>!HasFlag</c>; <c>side is Shared</c>
/// and <c>side is Private</c> exclude each other; and a branch on the test (<c>if (side != Shared) return;</c>,
/// before or after the flag is stored from it) narrows the flag. Each was a false KVM0001 or KVM0002.
/// A test of a place the body writes, or of another bit, says nothing.
/// </summary>
public sealed class ConstantTestTests
{
    private const string Port = """
        using static Kernel;
        public sealed class kvm { }
        public enum side_t { Shared, Private }
        [System.Flags] public enum attributes_t { None = 0, Private = 1 << 3, Other = 1 << 4 }
        public struct kvm_gfn_range { public ulong start, end; public bool only_private, only_shared; }
        public sealed class kvm_mmu_notifier_range { public ulong attributes; }
        public static class Kernel
        {
            public const ulong KVM_MEMORY_ATTRIBUTE_PRIVATE = 1UL << 3;
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
            public static side_t side_of(kvm kvm) => (side_t)(System.Environment.TickCount & 1);
        }

        """;

    [Fact]
    public Task TwoFlagsFromOneTest_AreNotBothTrue() => BothFlags.VerifyAsync(Port + """
        static class Attributes
        {
            static void pre_set(kvm kvm, kvm_mmu_notifier_range arg)
            {
                var range = new kvm_gfn_range();
                range.only_shared = (arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0;
                range.only_private = (arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) == 0;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void has_flag(kvm kvm, attributes_t attributes)
            {
                var range = new kvm_gfn_range { only_private = attributes.HasFlag(attributes_t.Private), only_shared = !attributes.HasFlag(attributes_t.Private) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void one_bit_equal_to_itself(kvm kvm, attributes_t attributes)
            {
                var range = new kvm_gfn_range { only_private = (attributes & attributes_t.Private) == attributes_t.Private, only_shared = (attributes & attributes_t.Private) == 0 };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void patterns(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_shared = side is side_t.Shared, only_private = side is side_t.Private };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_bits(kvm kvm, attributes_t attributes)
            {
                var range = new kvm_gfn_range { only_private = (attributes & attributes_t.Private) != 0, {|KVM0001:only_shared = (attributes & attributes_t.Other) != 0|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_places(kvm kvm, attributes_t attributes, attributes_t old)
            {
                var range = new kvm_gfn_range { only_private = (attributes & attributes_t.Private) != 0, {|KVM0001:only_shared = (old & attributes_t.Private) == 0|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    [Fact]
    public Task ALiftedTestOfANullable_IsOneValueToo() => BothFlags.VerifyAsync(Port + """
        static class Attributes
        {
            // A tri-state (null: both sides): each lifted test is false for null, and the two exclude each other.
            static void nullable_bool(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv == true, only_shared = priv == false };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void nullable_enum(kvm kvm, side_t? side)
            {
                var range = new kvm_gfn_range { only_private = side == side_t.Private, only_shared = side == side_t.Shared };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            // `!=` is true for null: both may be.
            static void not_equal(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv != false, {|KVM0001:only_shared = priv != true|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_nullables(kvm kvm, bool? priv, bool? shared)
            {
                var range = new kvm_gfn_range { only_private = priv == true, {|KVM0001:only_shared = shared == true|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    /// <summary>A bool? read as a bool (<c>priv ?? false</c>, <c>GetValueOrDefault()</c>) is the lifted test: the CFG's coalesce joins two stores, which alone are two independent values.</summary>
    [Fact]
    public Task ACoalescedNullable_IsTheLiftedTest() => BothFlags.VerifyAsync(Port + """
        public sealed class kvm_hva_range { public bool? shared; }
        static class Attributes
        {
            static void coalesce_negated(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv ?? false, only_shared = !(priv ?? false) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void coalesce_and_lifted_test(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv ?? false, only_shared = priv == false };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            // priv ?? true is priv != false: false only for false.
            static void coalesce_with_true(kvm kvm, kvm_hva_range hva)
            {
                var range = new kvm_gfn_range { only_shared = hva.shared ?? true, only_private = !(hva.shared ?? true) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void get_value_or_default(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv.GetValueOrDefault(), only_shared = !priv.GetValueOrDefault() };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void branch_on_coalesce(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv == true };
                if (!(priv ?? false))
                    range.only_shared = true;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            // For null, priv ?? true and !(priv ?? false) are both true.
            static void different_defaults(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv ?? true, {|KVM0001:only_shared = !(priv ?? false)|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_nullables(kvm kvm, bool? priv, bool? shared)
            {
                var range = new kvm_gfn_range { only_private = priv ?? false, {|KVM0001:only_shared = shared ?? false|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void written_between(kvm kvm, bool? priv)
            {
                var range = new kvm_gfn_range { only_private = priv ?? false };
                priv = null;
                if (!(priv ?? false))
                    {|KVM0001:range.only_shared = true|};
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    /// <summary>A guard on the nullable narrows a flag stored from its coalesce (KVM0002 before).</summary>
    [Fact]
    public Task AGuardOnTheNullable_NarrowsItsCoalesce() => HvaShared.VerifyAsync(Port + """
        public sealed class kvm_hva_range { public bool? shared; }
        static class Notifier
        {
            static void kvm_mmu_notifier_guarded(kvm kvm, kvm_hva_range hva)
            {
                var range = new kvm_gfn_range { only_shared = hva.shared ?? true };
                if (hva.shared == false)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_branch(kvm kvm, bool? shared)
            {
                var range = new kvm_gfn_range { only_shared = shared ?? false };
                if (shared ?? false)
                    kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_unguarded(kvm kvm, kvm_hva_range hva)
            {
                var range = new kvm_gfn_range { only_shared = hva.shared ?? true };
                if (hva.shared == true)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """);

    /// <summary>
    /// An integer's order against a constant is one test and its negation, however it is written:
    /// a port that splits its guest address space (<c>gfn &gt;= PRIVATE_BASE</c> private,
    /// <c>gfn &lt; PRIVATE_BASE</c> shared) sets one flag. Overlapping bounds, or two places, may set both.
    /// </summary>
    [Fact]
    public Task AnOrderTestAndItsComplement_AreOneValue() => BothFlags.VerifyAsync(Port + """
        public enum pg_level { PG_LEVEL_4K = 1, PG_LEVEL_2M = 2 }
        static class Attributes
        {
            const ulong PRIVATE_BASE = 1UL << 40;

            static void split(kvm kvm, ulong gfn)
            {
                var range = new kvm_gfn_range { start = gfn, only_private = gfn >= PRIVATE_BASE, only_shared = gfn < PRIVATE_BASE };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void constant_first(kvm kvm, ulong gfn)
            {
                var range = new kvm_gfn_range { only_private = PRIVATE_BASE <= gfn, only_shared = PRIVATE_BASE > gfn };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void inclusive(kvm kvm, int level)
            {
                var range = new kvm_gfn_range { only_private = level >= 2, only_shared = level <= 1 };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void an_enum(kvm kvm, pg_level level)
            {
                var range = new kvm_gfn_range { only_private = level > pg_level.PG_LEVEL_4K, only_shared = !(level > pg_level.PG_LEVEL_4K) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void overlapping(kvm kvm, int level)
            {
                var range = new kvm_gfn_range { only_private = level >= 1, {|KVM0001:only_shared = level <= 1|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_places(kvm kvm, ulong start, ulong end)
            {
                var range = new kvm_gfn_range { only_private = start >= PRIVATE_BASE, {|KVM0001:only_shared = end < PRIVATE_BASE|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            // A lifted order test is false for null both ways.
            static void lifted(kvm kvm, int? level)
            {
                var range = new kvm_gfn_range { only_private = level >= 2, {|KVM0001:only_shared = !(level < 2)|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void past_long_max(kvm kvm, ulong hva)
            {
                var range = new kvm_gfn_range { only_private = hva > 0x8000_0000_0000_0000UL, only_shared = hva <= 0x8000_0000_0000_0000UL };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void at_ulong_max(kvm kvm, ulong hva)
            {
                var range = new kvm_gfn_range { only_private = hva >= ulong.MaxValue, only_shared = hva < ulong.MaxValue };
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    [Fact]
    public Task ABranchOnAnOrderTest_NarrowsTheFlagStoredFromIt() => HvaShared.VerifyAsync(Port + """
        static class Notifier
        {
            const ulong PRIVATE_BASE = 1UL << 40;

            static void kvm_mmu_notifier_below(kvm kvm, ulong gfn)
            {
                if (gfn >= PRIVATE_BASE)
                    return;
                var range = new kvm_gfn_range { start = gfn, only_private = gfn >= PRIVATE_BASE, only_shared = gfn < PRIVATE_BASE };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_above(kvm kvm, ulong gfn)
            {
                if (gfn < PRIVATE_BASE)
                    return;
                var range = new kvm_gfn_range { start = gfn, only_private = gfn >= PRIVATE_BASE, only_shared = gfn < PRIVATE_BASE };
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """);

    [Fact]
    public Task AHelperThatTestsItsParameter_IsTheSameTestOfTheArgument() => BothFlags.VerifyAsync(Port + """
        static class Attributes
        {
            static bool is_private(ulong attributes) => (attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0;

            static bool is_shared_side(side_t side) => side == side_t.Shared;

            static bool rewritten(ulong attributes)
            {
                attributes = 0;
                return (attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0;
            }

            static void one_argument(kvm kvm, kvm_mmu_notifier_range arg)
            {
                var range = new kvm_gfn_range { only_private = is_private(arg.attributes), only_shared = !is_private(arg.attributes) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void constant_argument(kvm kvm, bool priv)
            {
                var range = new kvm_gfn_range { only_private = priv, only_shared = is_shared_side(side_t.Private) };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void two_arguments(kvm kvm, ulong attributes, ulong old)
            {
                var range = new kvm_gfn_range { only_private = is_private(attributes), {|KVM0001:only_shared = !is_private(old)|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void written_by_the_helper(kvm kvm, ulong attributes)
            {
                var range = new kvm_gfn_range { only_private = rewritten(attributes), {|KVM0001:only_shared = !rewritten(attributes)|} };
                kvm_unmap_gfn_range(kvm, ref range);
            }
        }
        """);

    [Fact]
    public Task ABranchOnTheTest_NarrowsTheFlagStoredFromIt() => HvaShared.VerifyAsync(Port + """
        static class Notifier
        {
            static void kvm_mmu_notifier_after(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_shared = side == side_t.Shared };
                if (side != side_t.Shared)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_before(kvm kvm)
            {
                var side = side_of(kvm);
                if (side is not side_t.Shared)
                    return;
                var range = new kvm_gfn_range { only_shared = side == side_t.Shared };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_bit(kvm kvm, kvm_mmu_notifier_range arg)
            {
                var range = new kvm_gfn_range { only_private = (arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0, only_shared = (arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) == 0 };
                if ((arg.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) == 0)
                    kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_other_constant(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_private = side == side_t.Private, only_shared = side == side_t.Shared };
                if (side == side_t.Shared)
                    kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_wrong_side(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_shared = side == side_t.Shared };
                if (side == side_t.Shared)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_written_between(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_shared = side == side_t.Shared };
                side = side_of(kvm);
                if (side != side_t.Shared)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_written_in_a_lambda(kvm kvm, side_t side)
            {
                var range = new kvm_gfn_range { only_shared = side == side_t.Shared };
                System.Action next = () => side = side_of(kvm);
                next();
                if (side != side_t.Shared)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """);

    private const string FilterPort = """
        using static Kernel;
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1 << 0, KVM_FILTER_PRIVATE = 1 << 1 }
        public enum side_t { Shared, Private }
        public struct kvm_gfn_range { public ulong start, end; public kvm_gfn_range_filter attr_filter; }
        public static class Kernel
        {
            public const ulong KVM_MEMORY_ATTRIBUTE_PRIVATE = 1UL << 3;
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }

        """;

    /// <summary>The attr_filter form: a filter chosen by the test is decided where a branch on the same test decides it.</summary>
    [Fact]
    public Task TheFilterForm_IsNarrowedTheSameWay() => HvaShared.VerifyAsync(FilterPort + """
        static class Notifier
        {
            static void kvm_mmu_notifier_bit(kvm kvm, ulong attributes)
            {
                var range = new kvm_gfn_range { attr_filter = (attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0 ? kvm_gfn_range_filter.KVM_FILTER_PRIVATE : kvm_gfn_range_filter.KVM_FILTER_SHARED };
                if ((attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0)
                    return;
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_guard_first(kvm kvm, side_t side)
            {
                if (side is not side_t.Shared)
                    return;
                var range = new kvm_gfn_range { attr_filter = side == side_t.Shared ? kvm_gfn_range_filter.KVM_FILTER_SHARED : kvm_gfn_range_filter.KVM_FILTER_PRIVATE };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_wrong_side(kvm kvm, ulong attributes)
            {
                var range = new kvm_gfn_range { attr_filter = (attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != 0 ? kvm_gfn_range_filter.KVM_FILTER_PRIVATE : kvm_gfn_range_filter.KVM_FILTER_SHARED };
                if ((attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) == 0)
                    return;
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);
}
