using System.Threading.Tasks;
using BothFlags = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.BothFlagsSetAnalyzer>;
using EmptyFilter = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.EmptyFilterAtZapAnalyzer>;
using GmemPrivate = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.GmemRangeNotPrivateOnlyAnalyzer>;
using HvaShared = GfnGuard.Analyzers.Tests.Verifiers.AnalyzerVerifier<GfnGuard.Analyzers.Rules.HvaRangeNotSharedOnlyAnalyzer>;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// A range type's field and property initializers set its flags where a creation runs them (SPEC
/// 2: flags are followed through constructors): a primary constructor's
/// <c>struct kvm_gfn_range(bool priv) { bool only_private = priv; bool only_shared = !priv; }</c>,
/// a class's <c>bool only_shared = true;</c> under its implicit constructor. Each creation counted
/// both flags false, so a correct HVA path got KVM0002 and <c>new kvm_gfn_range(true, true)</c>
/// no KVM0001. A struct's <c>new kvm_gfn_range()</c> runs no initializer: it is zeroed.
/// </summary>
public sealed class InitializerTests
{
    private const string Kernel = """
        public sealed class kvm { }
        public delegate bool gfn_handler_t(kvm kvm, ref kvm_gfn_range range);
        public static class Kernel
        {
            public static bool kvm_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }

        """;

    private const string PrimaryStruct = Kernel + """
        public struct kvm_gfn_range(bool priv)
        {
            public ulong start, end;
            public bool only_private = priv;
            public bool only_shared = !priv;
        }

        """;

    [Fact]
    public Task APrimaryConstructorsInitializers_SetTheFlags() => HvaShared.VerifyAsync("using static Kernel;\n" + PrimaryStruct + """
        static class Notifier
        {
            static void kvm_mmu_notifier_shared(kvm kvm, ulong start)
            {
                var range = new kvm_gfn_range(false) { start = start };
                kvm_unmap_gfn_range(kvm, ref range);
            }

            static void kvm_mmu_notifier_handler(kvm kvm, gfn_handler_t handler, bool priv)
            {
                if (priv)
                    return;
                var range = new kvm_gfn_range(priv);
                handler(kvm, ref range);
            }

            static void kvm_mmu_notifier_private(kvm kvm)
            {
                var range = new kvm_gfn_range(true);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }

            static void kvm_mmu_notifier_zeroed(kvm kvm)
            {
                var range = new kvm_gfn_range();
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task BothFlagsFromAPrimaryConstructor_AreReported() => BothFlags.VerifyAsync("using static Kernel;\n" + Kernel + """
        public struct kvm_gfn_range(bool p, bool s)
        {
            public bool only_private = p;
            public bool only_shared = s;
        }

        static class Mmu
        {
            static void fine(kvm kvm, bool priv)
            {
                var a = new kvm_gfn_range(false, true);
                var b = new kvm_gfn_range(priv, !priv);
                kvm_unmap_gfn_range(kvm, ref a);
                kvm_unmap_gfn_range(kvm, ref b);
            }

            static void both(kvm kvm)
            {
                var r = {|KVM0001:new kvm_gfn_range(true, true)|};
                kvm_unmap_gfn_range(kvm, ref r);
            }
        }
        """, withRuntime: false);

    /// <summary>A class's own defaults run under its implicit constructor, and before an explicit one's body.</summary>
    [Fact]
    public Task AClassDefault_RunsUnderItsConstructors() => HvaShared.VerifyAsync("using static Kernel;\n" + """
        public sealed class kvm { }
        public sealed class kvm_gfn_range
        {
            public ulong start, end;
            public bool only_private;
            public bool only_shared { get; set; } = true;

            public kvm_gfn_range() { }

            public kvm_gfn_range(ulong start) { this.start = start; }

            public kvm_gfn_range(bool priv) : this() { only_private = priv; only_shared = !priv; }
        }

        public static class Kernel
        {
            public static bool kvm_unmap_gfn_range(kvm kvm, kvm_gfn_range range) => true;
        }

        static class Notifier
        {
            static void kvm_mmu_notifier_defaults(kvm kvm, ulong start)
            {
                kvm_unmap_gfn_range(kvm, new kvm_gfn_range());
                kvm_unmap_gfn_range(kvm, new kvm_gfn_range(start));
                kvm_unmap_gfn_range(kvm, new kvm_gfn_range(false));
            }

            static void kvm_mmu_notifier_overridden(kvm kvm)
            {
                {|KVM0002:kvm_unmap_gfn_range(kvm, new kvm_gfn_range { only_shared = false })|};
                {|KVM0002:kvm_unmap_gfn_range(kvm, new kvm_gfn_range(true))|};
            }
        }
        """, withRuntime: false);

    /// <summary>A primary constructor's parameter named as a flag sets it only through an initializer (a record's sets its property).</summary>
    [Fact]
    public Task AFlagNamedParameter_IsStoredOnlyWhereSomethingStoresIt() => HvaShared.VerifyAsync("using static Kernel;\n" + """
        public sealed class kvm { }
        namespace Copied
        {
            public struct kvm_gfn_range(bool only_shared)
            {
                public bool only_private = !only_shared;
                public bool only_shared = only_shared;
            }
        }

        namespace Captured
        {
            public struct kvm_gfn_range(bool only_shared)
            {
                public bool only_private;
                public bool only_shared;
                public bool Shared() => only_shared;
            }
        }

        public static class Kernel
        {
            public static bool kvm_unmap_gfn_range(kvm kvm, ref Copied.kvm_gfn_range range) => true;
            public static bool kvm_unmap_gfn_range(kvm kvm, ref Captured.kvm_gfn_range range) => true;
        }

        static class Notifier
        {
            static void kvm_mmu_notifier_copied(kvm kvm)
            {
                var range = new Copied.kvm_gfn_range(true);
                kvm_unmap_gfn_range(kvm, ref range);
                var other = new Copied.kvm_gfn_range(false);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref other)|};
            }

            static void kvm_mmu_notifier_captured(kvm kvm)
            {
                var range = new Captured.kvm_gfn_range(true);
                {|KVM0002:kvm_unmap_gfn_range(kvm, ref range)|};
            }
        }
        """, withRuntime: false);

    private const string FilterStruct = """
        public sealed class kvm { }
        public enum kvm_gfn_range_filter { KVM_FILTER_SHARED = 1, KVM_FILTER_PRIVATE = 2 }
        public struct kvm_gfn_range(kvm_gfn_range_filter filter)
        {
            public ulong start, end;
            public kvm_gfn_range_filter attr_filter = filter;
        }

        public static class Kernel
        {
            public static bool kvm_mmu_unmap_gfn_range(kvm kvm, ref kvm_gfn_range range) => true;
        }

        """;

    [Fact]
    public Task TheFilterForm_GuestMemfd() => GmemPrivate.VerifyAsync("using static Kernel;\n" + FilterStruct + """
        static class GuestMemfd
        {
            static void kvm_gmem_punch_hole(kvm kvm)
            {
                var range = new kvm_gfn_range(kvm_gfn_range_filter.KVM_FILTER_PRIVATE);
                kvm_mmu_unmap_gfn_range(kvm, ref range);
                var shared = new kvm_gfn_range(kvm_gfn_range_filter.KVM_FILTER_SHARED);
                {|KVM0005:kvm_mmu_unmap_gfn_range(kvm, ref shared)|};
            }
        }
        """, withRuntime: false);

    [Fact]
    public Task TheFilterForm_AZeroFilter() => EmptyFilter.VerifyAsync("using static Kernel;\n" + FilterStruct + """
        static class Mmu
        {
            static void zap(kvm kvm)
            {
                var both = new kvm_gfn_range(kvm_gfn_range_filter.KVM_FILTER_SHARED | kvm_gfn_range_filter.KVM_FILTER_PRIVATE);
                kvm_mmu_unmap_gfn_range(kvm, ref both);
                var none = new kvm_gfn_range(0);
                {|KVM0004:kvm_mmu_unmap_gfn_range(kvm, ref none)|};
            }
        }
        """, withRuntime: false);
}
