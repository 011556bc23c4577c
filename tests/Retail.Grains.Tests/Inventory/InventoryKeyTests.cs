using Retail.Contracts.Inventory;

namespace Retail.Grains.Tests.Inventory;

public sealed class InventoryKeyTests
{
    [Theory]
    [InlineData("TEE/BLK M", "wh-1", "TEE%2FBLK%20M@wh-1")]
    [InlineData("SKU@WAREHOUSE", "st-2", "SKU%40WAREHOUSE@st-2")]
    [InlineData("50% off", "wh-1", "50%25%20off@wh-1")]
    [InlineData("Größe", "wh-1", "Gr%C3%B6%C3%9Fe@wh-1")]
    [InlineData("SKU-1_a.b:c", "wh-1", "SKU-1_a.b:c@wh-1")]
    public void For_AnySku_BuildsAKeyWithOneAtThatParsesBackToTheSameSkuAndLocation(string sku, string locationId, string expected)
    {
        var key = InventoryKey.For(sku, locationId);

        Assert.Equal(expected, key);
        Assert.Single(key, c => c == '@');
        Assert.Equal((sku, locationId), InventoryKey.Parse(key));
    }

    [Fact]
    public void For_TwoSkusThatDifferOnlyAroundTheSeparator_BuildsDifferentKeys()
    {
        var first = InventoryKey.For("A@B", "C");
        var second = InventoryKey.For("A", "B@C");

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("no-separator")]
    [InlineData("two@at@signs")]
    [InlineData("bad%2@wh-1")]
    [InlineData("raw space@wh-1")]
    public void Parse_KeyNotBuiltByFor_Throws(string key)
    {
        Assert.Throws<FormatException>(() => InventoryKey.Parse(key));
    }
}
