using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using GfnGuard.EndToEnd.Tests.Infrastructure;

namespace GfnGuard.EndToEnd.Tests;

/// <summary>
/// The squiggles in a real language server: csharp-ls (installed from NuGet into a folder of its
/// own) opens a consumer of the packed analyzers; the KVM diagnostics arrive over stdio on the
/// right line with their help link, and go away when an edit fixes the code.
/// </summary>
[Collection(PackedCollection.Name)]
public sealed class LanguageServerTests(PackedFeed feed)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);

    private const string Port = """
        public struct kvm_gfn_range { public bool only_private; public bool only_shared; }

        public static class Port
        {
            public static kvm_gfn_range Make()
            {
                var r = new kvm_gfn_range();
                r.only_private = true;
                r.only_shared = true;
                return r;
            }
        }
        """;

    [LanguageServerFact]
    public void CsharpLs_ShowsKvm0001OnItsLine_WithTheHelpLink_AndDropsItWhenTheCodeIsFixed()
    {
        var consumer = feed.CreateConsumer("GfnGuard.Analyzers", new Dictionary<string, string> { ["Port.cs"] = Port });
        var restore = consumer.Restore();
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var uri = new Uri(Path.Combine(consumer.Directory, "Port.cs")).AbsoluteUri;

        using var server = new LspClient(LanguageServerTool.Path!, consumer.Directory);
        server.Request("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = new Uri(consumer.Directory).AbsoluteUri,
            ["capabilities"] = new JsonObject { ["workspace"] = new JsonObject { ["configuration"] = true } },
            ["initializationOptions"] = new JsonObject { ["csharp"] = new JsonObject { ["analyzersEnabled"] = true } },
        });
        server.Notify("initialized", new JsonObject());
        server.Notify("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["csharp"] = new JsonObject { ["analyzersEnabled"] = true } } });
        server.Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = Port },
        });

        var broken = server.WaitForDiagnostics(uri, diagnostics => Kvm(diagnostics).Any(), Patience);
        Assert.True(broken is not null, "no KVM diagnostic arrived from csharp-ls within " + Patience);
        var kvm0001 = Assert.Single(Kvm(broken!));
        Assert.Equal("KVM0001", kvm0001["code"]!.GetValue<string>());
        Assert.Equal(8, kvm0001["range"]!["start"]!["line"]!.GetValue<int>()); // r.only_shared = true; (0-based)
        Assert.EndsWith("docs/rules/KVM0001.md", kvm0001["codeDescription"]?["href"]?.GetValue<string>() ?? string.Empty, StringComparison.Ordinal);

        // The edit that fixes it: the second flag is no longer set.
        var fixedText = Port.Replace("        r.only_shared = true;\n", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(Port, fixedText);
        server.Notify("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 2 },
            ["contentChanges"] = new JsonArray { new JsonObject { ["text"] = fixedText } },
        });

        var clean = server.WaitForDiagnostics(uri, diagnostics => !Kvm(diagnostics).Any(), Patience);
        Assert.True(clean is not null, "the KVM0001 diagnostic did not go away after the edit");
    }

    private static IEnumerable<JsonNode> Kvm(JsonArray diagnostics) =>
        diagnostics.Where(d => d?["code"]?.GetValue<string>()?.StartsWith("KVM", StringComparison.Ordinal) == true)!;
}
