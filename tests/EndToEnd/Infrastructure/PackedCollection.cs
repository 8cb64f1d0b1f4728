namespace GfnGuard.EndToEnd.Tests.Infrastructure;

/// <summary>Every end-to-end test shares one packed feed (packing takes tens of seconds).</summary>
[CollectionDefinition(Name)]
public sealed class PackedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
