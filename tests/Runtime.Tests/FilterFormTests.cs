namespace GfnGuard.Runtime.Tests;

/// <summary>
/// The runtime follows upstream's form of the filter too (issue 16): a range exposes it as
/// <see cref="KvmGfnRange.Filter"/>, can be built from one, and a filter of 0 is refused at run
/// time, as KVM0004 refuses it at build time.
/// </summary>
public sealed class FilterFormTests
{
    [Theory]
    [InlineData(KvmGfnRangeFilter.Shared, false, true)]
    [InlineData(KvmGfnRangeFilter.Private, true, false)]
    [InlineData(KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private, false, false)]
    public void AFilter_MapsToTheTwoBools_AndBack(KvmGfnRangeFilter filter, bool onlyPrivate, bool onlyShared)
    {
        var range = KvmGfnRange.WithFilter(null!, 0, 8, filter);

        Assert.Equal(onlyPrivate, range.OnlyPrivate);
        Assert.Equal(onlyShared, range.OnlyShared);
        Assert.Equal(filter, range.Filter);
        Assert.Equal(8UL, range.PageCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(5)]
    public void AnEmptyOrUnknownFilter_IsRefused(int filter)
    {
        var refused = Assert.Throws<KvmContractViolationException>(() => KvmGfnRange.WithFilter(null!, 0, 8, (KvmGfnRangeFilter)filter));

        Assert.StartsWith("KVM0004", refused.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void ANewRange_TargetsBothSides()
    {
        Assert.Equal(KvmGfnRangeFilter.Shared | KvmGfnRangeFilter.Private, new KvmGfnRange(null!, 0, 1).Filter);
    }
}
