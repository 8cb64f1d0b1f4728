using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace GfnGuard.Analyzers.Tests.Verifiers;

/// <summary>What every test compilation references: .NET 8 and the GfnGuard runtime.</summary>
internal static class TestReferences
{
    internal static ReferenceAssemblies Net80 { get; } = ReferenceAssemblies.Net.Net80;

    internal static MetadataReference Runtime { get; } =
        MetadataReference.CreateFromFile(typeof(GfnGuard.Runtime.KvmGfnRange).Assembly.Location);
}
