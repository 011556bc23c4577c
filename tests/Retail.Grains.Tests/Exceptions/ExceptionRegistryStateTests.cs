using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Grains.Exceptions;

namespace Retail.Grains.Tests.Exceptions;

public sealed class ExceptionRegistryStateTests
{
    [Fact]
    public void Json_KeepsRecordsWithStatusAndCreatedAtWhereOperationsQueriesReadThem()
    {
        var createdAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var state = new ExceptionRegistryState { LastNumber = 3 };
        state.Records.Add(new ExceptionRecord
        {
            Id = "Backordered-3",
            Kind = ExceptionKinds.Backordered,
            BusinessKey = "o-1",
            Reason = "no stock",
            Attempts = 2,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
            Status = ExceptionStatus.Open,
        });

        var json = JsonSerializer.Serialize(state, RetailJson.Options);
        using var document = JsonDocument.Parse(json);
        var copy = JsonSerializer.Deserialize<ExceptionRegistryState>(json, RetailJson.Options)!;

        var record = Assert.Single(document.RootElement.GetProperty("records").EnumerateArray().ToList());
        Assert.Equal("Open", record.GetProperty("status").GetString());
        Assert.Equal(createdAt, record.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal("o-1", record.GetProperty("businessKey").GetString());
        Assert.Equal(2, record.GetProperty("attempts").GetInt32());
        Assert.Equal(state.Records[0], Assert.Single(copy.Records));
        Assert.Equal(3, copy.LastNumber);
    }
}
