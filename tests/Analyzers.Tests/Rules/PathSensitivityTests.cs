using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using GfnGuard.Analyzers.Tests.Robustness;

namespace GfnGuard.Analyzers.Tests.Rules;

/// <summary>
/// Path sensitivity must not run out (SPEC section 2). The kernel's lazy lock (a struct field
/// set together with taking the lock inside the memslot loop, the lock dropped only if it was
/// set) stays correlated with the lock however many unrelated conditions, loops, short-circuit
/// tests, conditionals and switches stand between; a fixed budget of whole paths lost it as
/// soon as enough of them piled up, and KVM0003 reported a reclaim the lock cannot be held at.
/// </summary>
public sealed class PathSensitivityTests
{
    private const string Declarations = """
        public sealed class kvm { public object mmu_lock = new object(); }
        public sealed class kvm_memory_slot { public ulong base_gfn, npages; }
        public struct kvm_mmu_notifier_return { public bool ret; public bool found_memslot; }
        public static class Kernel
        {
            public static void KVM_MMU_LOCK(kvm kvm) { }
            public static void KVM_MMU_UNLOCK(kvm kvm) { }
            public static void kvm_arch_guest_memory_reclaimed(kvm kvm) { }
            public static void kvm_flush_remote_tlbs(kvm kvm) { }
            public static kvm_memory_slot[] kvm_for_each_memslot_in_hva_range(kvm kvm, ulong start, ulong last) => new kvm_memory_slot[0];
        }
        """;

    /// <summary>One unrelated condition of each shape, the n-th of a body.</summary>
    private static string Unrelated(int n) => (n % 6) switch
    {
        0 => $"if (a{n} && b{n}) count++;",
        1 => $"if (a{n} || b{n}) count--;",
        2 => $"count += a{n} ? 1 : 2;",
        3 => $"switch (count % 3) {{ case 0: count++; break; case 1: if (b{n}) count--; break; default: break; }}",
        4 => $"for (var i = 0; i < (a{n} ? 2 : 3); i++) {{ if (b{n}) count++; }}",
        _ => $"while (count > 100 && a{n}) count /= 2;",
    };

    private static string Body(int conditions, bool violation)
    {
        var parameters = string.Concat(Enumerable.Range(0, conditions).Select(n => $", bool a{n}, bool b{n}"));
        var between = new StringBuilder();
        for (var n = 0; n < conditions; n++)
        {
            between.Append("        ").AppendLine(Unrelated(n));
        }

        // The violation: a reclaim before the conditional unlock, where the lock may be held.
        var reclaimUnderTheLock = violation ? "        if (count > 7) kvm_arch_guest_memory_reclaimed(kvm);\n" : string.Empty;
        return $$"""
            using static Kernel;
            static class KvmMain
            {
                static kvm_mmu_notifier_return walk(kvm kvm, ulong start, ulong end{{parameters}})
                {
                    var r = new kvm_mmu_notifier_return();
                    var count = 0;
                    foreach (var slot in kvm_for_each_memslot_in_hva_range(kvm, start, end - 1))
                    {
                        if (!r.found_memslot)
                        {
                            r.found_memslot = true;
                            KVM_MMU_LOCK(kvm);
                        }

                        r.ret |= slot.npages > 0;
                    }

            {{between}}
                    if (r.ret)
                        kvm_flush_remote_tlbs(kvm);
            {{reclaimUnderTheLock}}
                    if (r.found_memslot)
                        KVM_MMU_UNLOCK(kvm);

                    if (r.found_memslot)
                        kvm_arch_guest_memory_reclaimed(kvm);
                    return r;
                }
            }
            """;
    }

    private static async Task<string[]> Kvm0003Async(string source)
    {
        var compilation = await AnalyzerRun.CompileAsync(new[] { ("/Kernel.cs", Declarations), ("/Walk.cs", source) });
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        var outcome = await AnalyzerRun.AnalyzeAsync(compilation);
        Assert.Empty(outcome.Exceptions);
        return outcome.Diagnostics.Where(d => d.Id == "KVM0003").Select(d => d.Location.GetLineSpan().StartLinePosition.Line.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    public static TheoryData<int> ConditionCounts()
    {
        var data = new TheoryData<int>();
        for (var n = 1; n <= 12; n++)
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConditionCounts))]
    public async Task LazyLock_WithUnrelatedConditionsBetween_IsNotReported(int conditions)
    {
        Assert.Empty(await Kvm0003Async(Body(conditions, violation: false)));
    }

    [Theory]
    [MemberData(nameof(ConditionCounts))]
    public async Task LazyLock_WithOneRealViolation_IsReportedExactlyOnce(int conditions)
    {
        var source = Body(conditions, violation: true);
        var reported = Assert.Single(await Kvm0003Async(source));
        var line = source.Split('\n').Select((text, index) => (text, index)).Single(l => l.text.Contains("if (count > 7)", System.StringComparison.Ordinal)).index;
        Assert.Equal(line.ToString(CultureInfo.InvariantCulture), reported);
    }
}
