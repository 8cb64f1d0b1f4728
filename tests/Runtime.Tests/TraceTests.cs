using System.IO;
using System.Linq;
using System.Text.Json;

namespace GfnGuard.Runtime.Tests;

/// <summary>A run recorded as Chrome/Perfetto trace events named after the kernel's tracepoints.</summary>
public sealed class TraceTests
{
    [Fact]
    public void Munmap_OnSev_RecordsTheLockSpanWithTheZapInside_AndTheReclaimAfterIt()
    {
        var vm = TestVm.Create(KvmVmType.Sev);
        vm.Vcpu.Write(3, 1);
        var trace = new TraceRecorder();
        vm.Machine.Trace = trace;

        vm.Mm.Munmap(vm.HvaOf(3), TestVm.Page);

        using var file = new MemoryStream();
        trace.WriteChromeTrace(file);
        using var json = JsonDocument.Parse(file.ToArray());
        var events = json.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString()!, Phase: e.GetProperty("ph").GetString()!, Ts: e.GetProperty("ts").GetDouble()))
            .ToList();
        int Index(string name, string phase) => events.FindIndex(e => e.Name == name && e.Phase == phase);

        var hva = Index("kvm_unmap_hva_range", "i");
        var begin = Index("mmu_lock (write)", "B");
        var zap = Index("kvm_unmap_gfn_range", "i");
        var end = Index("mmu_lock (write)", "E");
        var reclaim = Index("kvm_arch_guest_memory_reclaimed", "i");
        var wbinvd = Index("wbinvd_on_all_cpus", "X");
        Assert.True(hva >= 0 && begin > hva && zap > begin && end > zap && reclaim > end && wbinvd > reclaim, string.Join("\n", events));
        Assert.Contains(events, e => e.Name == "kvm_mmu_invalidate_begin");
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Ts <= pair.Second.Ts), "timestamps go backwards");
    }

    [Fact]
    public void TracingIsOffByDefault()
    {
        var vm = TestVm.Create(KvmVmType.Default);
        vm.Vcpu.Write(3, 1);

        Assert.Null(vm.Machine.Trace);
    }
}
