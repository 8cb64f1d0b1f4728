using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading;

namespace GfnGuard.Runtime
{
    /// <summary>
    /// Records what a <see cref="Machine"/> and its VMs do as trace events named after the
    /// kernel's tracepoints (kvm_unmap_hva_range, kvm_age_hva, kvm_page_fault,
    /// kvm_mmu_invalidate_begin/_end, the zap, the reclaim, WBINVD) and mmu_lock hold spans, and
    /// writes them in the Chrome/Perfetto trace JSON format (open the file in ui.perfetto.dev or
    /// chrome://tracing). Off unless <see cref="Machine.Trace"/> is set: every hook is one null check.
    /// </summary>
    public sealed class TraceRecorder
    {
        private readonly ConcurrentQueue<TraceEvent> _events = new ConcurrentQueue<TraceEvent>();
        private readonly long _start = Stopwatch.GetTimestamp();

        /// <summary>Events recorded so far.</summary>
        public int Count => _events.Count;

        /// <summary>Writes every event as a Chrome trace JSON object (<c>{"traceEvents": [...]}</c>) to <paramref name="path"/>.</summary>
        public void WriteChromeTrace(string path)
        {
            using var stream = File.Create(path);
            WriteChromeTrace(stream);
        }

        /// <summary>Writes every event as a Chrome trace JSON object to <paramref name="stream"/>.</summary>
        public void WriteChromeTrace(Stream stream)
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            json.WriteStartObject();
            json.WriteString("displayTimeUnit", "ns");
            json.WriteStartArray("traceEvents");
            foreach (var e in _events)
            {
                json.WriteStartObject();
                json.WriteString("name", e.Name);
                json.WriteString("cat", e.Category);
                json.WriteString("ph", e.Phase.ToString());
                json.WriteNumber("ts", e.Microseconds);
                if (e.Phase == 'X')
                {
                    json.WriteNumber("dur", e.DurationMicroseconds);
                }

                if (e.Phase == 'i')
                {
                    json.WriteString("s", "t");
                }

                json.WriteNumber("pid", e.VmId);
                json.WriteNumber("tid", e.ThreadId);
                if (e.ArgName is not null)
                {
                    json.WriteStartObject("args");
                    json.WriteNumber(e.ArgName, e.ArgValue);
                    if (e.Arg2Name is not null)
                    {
                        json.WriteNumber(e.Arg2Name, e.Arg2Value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        internal void Instant(string name, int vmId, string? argName = null, long argValue = 0, string? arg2Name = null, long arg2Value = 0) =>
            Add(new TraceEvent(name, "kvm", 'i', Now(), 0, vmId, argName, argValue, arg2Name, arg2Value));

        internal void Begin(string name, int vmId) => Add(new TraceEvent(name, "lock", 'B', Now(), 0, vmId, null, 0, null, 0));

        internal void End(string name, int vmId) => Add(new TraceEvent(name, "lock", 'E', Now(), 0, vmId, null, 0, null, 0));

        /// <summary>A span of modelled duration (a WBINVD's cycles), starting now.</summary>
        internal void Complete(string name, int vmId, double durationMicroseconds, string? argName = null, long argValue = 0) =>
            Add(new TraceEvent(name, "flush", 'X', Now(), durationMicroseconds, vmId, argName, argValue, null, 0));

        private double Now() => (Stopwatch.GetTimestamp() - _start) * 1_000_000.0 / Stopwatch.Frequency;

        private void Add(in TraceEvent e) => _events.Enqueue(e);

        private readonly struct TraceEvent
        {
            internal TraceEvent(string name, string category, char phase, double microseconds, double durationMicroseconds, int vmId, string? argName, long argValue, string? arg2Name, long arg2Value)
            {
                Name = name;
                Category = category;
                Phase = phase;
                Microseconds = microseconds;
                DurationMicroseconds = durationMicroseconds;
                VmId = vmId;
                ThreadId = Environment.CurrentManagedThreadId;
                ArgName = argName;
                ArgValue = argValue;
                Arg2Name = arg2Name;
                Arg2Value = arg2Value;
            }

            internal string Name { get; }

            internal string Category { get; }

            internal char Phase { get; }

            internal double Microseconds { get; }

            internal double DurationMicroseconds { get; }

            internal int VmId { get; }

            internal int ThreadId { get; }

            internal string? ArgName { get; }

            internal long ArgValue { get; }

            internal string? Arg2Name { get; }

            internal long Arg2Value { get; }
        }
    }
}
