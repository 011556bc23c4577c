using System.Net;
using System.Text.Json;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class SchemasEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task List_WithoutToken_NamesEverySchema()
    {
        using var client = api.CreateClient();

        var response = await client.GetAsync("/api/v1/schemas");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = (await response.JsonAsync()).EnumerateArray().Select(name => name.GetString()).ToList();
        Assert.Contains("canonical-order.schema.json", names);
        Assert.Contains("cloudevent.schema.json", names);
        Assert.Contains(names, name => name!.StartsWith("erp.", StringComparison.Ordinal));
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task Get_KnownName_AnswersTheSchemaDocument()
    {
        using var client = api.CreateClient();

        var response = await client.GetAsync("/api/v1/schemas/canonical-order.schema.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        using var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("draft-07", schema.RootElement.GetProperty("$schema").GetString(), StringComparison.Ordinal);
        Assert.True(schema.RootElement.GetProperty("properties").TryGetProperty("channelOrderId", out _));
    }

    [Fact]
    public async Task Get_EveryListedName_AnswersValidJson()
    {
        using var client = api.CreateClient();
        var names = (await (await client.GetAsync("/api/v1/schemas")).JsonAsync()).EnumerateArray().Select(name => name.GetString()!).ToList();

        foreach (var name in names)
        {
            var response = await client.GetAsync($"/api/v1/schemas/{name}");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(JsonValueKind.Object, schema.RootElement.ValueKind);
        }
    }

    [Fact]
    public async Task Get_UnknownName_Answers404Problem()
    {
        using var client = api.CreateClient();

        var response = await client.GetAsync("/api/v1/schemas/no-such.schema.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("retail.schema.not-found", problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("correlationId").GetString()));
    }
}
