using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace GfnGuard.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The least of a Language Server Protocol client over stdio: JSON-RPC framed by
/// Content-Length headers; requests the server makes (workspace/configuration and the like)
/// are answered, turning GfnGuard's analyzers on in csharp-ls (<c>csharp.analyzersEnabled</c>).
/// </summary>
internal sealed class LspClient : IDisposable
{
    private readonly Process _server;
    private readonly Stream _input;
    private readonly BlockingCollection<JsonObject> _notifications = new();
    private readonly Thread _reader;
    private readonly object _writeLock = new();
    private int _nextId;

    internal LspClient(string executable, string workingDirectory)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _server = Process.Start(start) ?? throw new InvalidOperationException("csharp-ls did not start");
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginErrorReadLine();
        _input = _server.StandardInput.BaseStream;
        _reader = new Thread(Read) { IsBackground = true };
        _reader.Start();
    }

    internal void Request(string method, JsonNode parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _nextId), ["method"] = method, ["params"] = parameters });

    internal void Notify(string method, JsonNode parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    /// <summary>The first textDocument/publishDiagnostics for <paramref name="uri"/> that <paramref name="accept"/> takes, or null after <paramref name="timeout"/>.</summary>
    internal JsonArray? WaitForDiagnostics(string uri, Func<JsonArray, bool> accept, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!_notifications.TryTake(out var message, TimeSpan.FromSeconds(1)))
            {
                continue;
            }

            if (message["method"]?.GetValue<string>() == "textDocument/publishDiagnostics"
                && message["params"]?["uri"]?.GetValue<string>() == uri
                && message["params"]?["diagnostics"] is JsonArray diagnostics && accept(diagnostics))
            {
                return diagnostics;
            }
        }

        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _server.Dispose();
    }

    private void Send(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        lock (_writeLock)
        {
            _input.Write(header);
            _input.Write(body);
            _input.Flush();
        }
    }

    private void Read()
    {
        var output = _server.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                var length = ReadHeaders(output);
                if (length < 0)
                {
                    return;
                }

                var body = new byte[length];
                var read = 0;
                while (read < length)
                {
                    var n = output.Read(body, read, length - read);
                    if (n <= 0)
                    {
                        return;
                    }

                    read += n;
                }

                if (JsonNode.Parse(body) is not JsonObject message)
                {
                    continue;
                }

                if (message["id"] is not null && message["method"] is { } method)
                {
                    Answer(message, method.GetValue<string>());
                }
                else if (message["method"] is not null)
                {
                    _notifications.Add(message);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or JsonException)
        {
            // The server went away; the test's wait times out and says so.
        }
    }

    private void Answer(JsonObject request, string method)
    {
        JsonNode? result = null;
        if (method == "workspace/configuration" && request["params"]?["items"] is JsonArray items)
        {
            var settings = new JsonArray();
            foreach (var _ in items)
            {
                settings.Add(new JsonObject { ["analyzersEnabled"] = true });
            }

            result = settings;
        }

        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(), ["result"] = result });
    }

    private static int ReadHeaders(Stream output)
    {
        var line = new StringBuilder();
        var length = -1;
        while (true)
        {
            var b = output.ReadByte();
            if (b < 0)
            {
                return -1;
            }

            if (b == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                line.Clear();
                if (text.Length == 0)
                {
                    return length;
                }

                if (text.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(text["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else
            {
                line.Append((char)b);
            }
        }
    }
}
