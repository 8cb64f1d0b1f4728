using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GfnGuard.Analyzers.Tests;

/// <summary>Every rule is documented, tracked, linked and fixable as promised.</summary>
public sealed class RuleCatalogTests
{
    private static readonly string RepositoryRoot = RepositoryFiles.Root;

    public static TheoryData<string> RuleIds() => IdsWhere(_ => true);

    /// <summary>The contracts, KVM0001 and up; configuration warnings start at KVM0900.</summary>
    public static TheoryData<string> ContractIds() => IdsWhere(id => string.CompareOrdinal(id, "KVM0900") < 0);

    public static TheoryData<string> ConfigurationIds() => IdsWhere(id => string.CompareOrdinal(id, "KVM0900") >= 0);

    private static TheoryData<string> IdsWhere(Func<string, bool> predicate)
    {
        var data = new TheoryData<string>();
        foreach (var id in Descriptors().Select(d => d.Id).Distinct().Where(predicate))
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void EveryDiagnosticIdConstant_HasADescriptor()
    {
        var constants = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(constants);
        Assert.Equal(constants, Descriptors().Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void HelpLink_PointsAtAnExistingRulePage(string id)
    {
        var descriptor = Descriptors().First(d => d.Id == id);

        Assert.EndsWith("/docs/rules/" + id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        var page = Path.Combine(RepositoryRoot, "docs", "rules", id + ".md");
        Assert.True(File.Exists(page), page + " is missing");
        var text = File.ReadAllText(page);
        Assert.StartsWith("# " + id + ":", text, StringComparison.Ordinal);
        foreach (var section in new[] { "## What it finds", "## Why it matters", "## Examples", "## How to fix", "## Configuration", "## Suppressing" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void TheRuleTitle_IsTheSameInTheDescriptor_TheRulePage_AndTheReadmesTable(string id)
    {
        var title = Descriptors().First(d => d.Id == id).Title.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var page = File.ReadAllLines(Path.Combine(RepositoryRoot, "docs", "rules", id + ".md"))[0];
        var readmeRow = File.ReadAllLines(Path.Combine(RepositoryRoot, "README.md")).Single(line => line.StartsWith("| [" + id + "]", StringComparison.Ordinal));

        Assert.Equal("# " + id + ": " + title, page);
        Assert.Equal(title, readmeRow.Split('|')[3].Trim());
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void ReleaseTracking_ListsTheRuleWithItsCategoryAndSeverity(string id)
    {
        var descriptor = Descriptors().First(d => d.Id == id);
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, "Analyzers", "AnalyzerReleases.Shipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(RepositoryRoot, "Analyzers", "AnalyzerReleases.Unshipped.md")));
        var row = lines.Select(l => l.Split('|').Select(c => c.Trim()).ToArray()).SingleOrDefault(c => c[0] == id);

        Assert.NotNull(row);
        Assert.Equal(descriptor.Category, row![1]);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), row[2]);
    }

    [Theory]
    [MemberData(nameof(ContractIds))]
    public void CorrectnessRules_AreErrorsByDefault(string id)
    {
        var descriptor = Descriptors().First(d => d.Id == id);

        Assert.Equal("KVM.Correctness", descriptor.Category);
        Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
        Assert.True(descriptor.IsEnabledByDefault);
    }

    [Theory]
    [MemberData(nameof(ConfigurationIds))]
    public void ConfigurationWarnings_AreWarningsOfTheirOwnCategory(string id)
    {
        var descriptor = Descriptors().First(d => d.Id == id);

        Assert.Equal("KVM.Configuration", descriptor.Category);
        Assert.Equal(DiagnosticSeverity.Warning, descriptor.DefaultSeverity);
        Assert.True(descriptor.IsEnabledByDefault);
    }

    [Theory]
    [MemberData(nameof(ContractIds))]
    public void EveryRule_HasACodeFix(string id)
    {
        var fixers = typeof(GfnGuard.CodeFixes.BothFlagsSetCodeFixProvider).Assembly.GetTypes()
            .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!);

        Assert.Contains(fixers, f => f.FixableDiagnosticIds.Contains(id) && f.GetFixAllProvider() is not null);
    }

    [Fact]
    public void RuntimeContractAttributes_AreNotConditional()
    {
        var attributes = typeof(GfnGuard.Runtime.KvmGfnRange).Assembly.GetTypes()
            .Where(t => typeof(Attribute).IsAssignableFrom(t))
            .ToList();

        // The runtime ships the canonical copy of every attribute the catalogue matches (SPEC section 3).
        var catalogued = GfnGuard.Analyzers.Roles.RoleCatalog.All.Select(role => role.Attribute).OfType<string>().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(catalogued, attributes.Select(a => a.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(attributes, a => Assert.Empty(a.GetCustomAttributes<ConditionalAttribute>()));
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticIds).Assembly.GetTypes()
            .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .SelectMany(a => a.SupportedDiagnostics);
}
