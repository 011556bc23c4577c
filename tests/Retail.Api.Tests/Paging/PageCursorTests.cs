using Retail.Api.Paging;

namespace Retail.Api.Tests.Paging;

public sealed class PageCursorTests
{
    [Fact]
    public void TryDecode_CursorForSameFilters_AnswersThePosition()
    {
        var cursor = PageCursor.Encode("2026-11-23T10:00:00Z|order-7", "orders|Reserved|web|");

        Assert.True(PageCursor.TryDecode(cursor, "orders|Reserved|web|", out var position));
        Assert.Equal("2026-11-23T10:00:00Z|order-7", position);
    }

    [Theory]
    [InlineData("orders|OnHold|web|")]
    [InlineData("exceptions|Open|")]
    public void TryDecode_CursorForOtherFilters_IsRefused(string otherFilters)
    {
        var cursor = PageCursor.Encode("order-7", "orders|Reserved|web|");

        Assert.False(PageCursor.TryDecode(cursor, otherFilters, out _));
    }

    [Theory]
    [InlineData("not a cursor")]
    [InlineData("e30")]
    [InlineData("")]
    public void TryDecode_Garbage_IsRefused(string cursor)
    {
        Assert.False(PageCursor.TryDecode(cursor, "orders||||", out _));
    }
}
