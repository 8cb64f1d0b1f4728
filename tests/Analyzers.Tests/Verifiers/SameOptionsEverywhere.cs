using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>The same options for every tree, as a global .editorconfig gives.</summary>
internal sealed class SameOptionsEverywhere : AnalyzerConfigOptionsProvider
{
    private readonly Options _options;

    internal SameOptionsEverywhere(string key, string value)
    {
        _options = new Options(new Dictionary<string, string> { [key] = value });
    }

    public override AnalyzerConfigOptions GlobalOptions => _options;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;

    private sealed class Options : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> _values;

        internal Options(Dictionary<string, string> values)
        {
            _values = values;
        }

        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
    }
}
