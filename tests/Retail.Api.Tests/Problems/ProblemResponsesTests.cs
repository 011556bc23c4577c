using System.Net;
using System.Text;
using Retail.Api.Problems;

namespace Retail.Api.Tests.Problems;

[Collection(ApiCollection.Name)]
public sealed class ProblemResponsesTests(ApiFactory api)
{
    [Fact]
    public async Task Request_WithCorrelationId_EchoesItInHeaderAndProblem()
    {
        using var client = api.ClientWith();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/orders/does-not-exist-" + Guid.NewGuid().ToString("N"));
        request.Headers.Add("X-Correlation-Id", "corr-12345");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("corr-12345", response.Headers.GetValues("X-Correlation-Id").Single());
        var problem = await response.JsonAsync();
        Assert.Equal("corr-12345", problem.GetProperty("correlationId").GetString());
        Assert.Equal("retail.order.not-found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Request_WithoutCorrelationId_GetsANewOne()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/exceptions");

        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Correlation-Id").Single()));
    }

    [Fact]
    public void Map_ClusterTimeout_Answers503TellingToRetryWithTheSameKeys()
    {
        var problem = RetailExceptionHandler.Map(new TimeoutException("Response did not arrive on time."));

        Assert.Equal(503, problem.Status);
        Assert.Equal("retail.unavailable", problem.Extensions["code"]?.ToString());
        Assert.Contains("channelOrderId", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Idempotency-Key", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("answers 200 with the same order", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOverLimit_Answers413Problem()
    {
        using var client = api.ClientWith();
        var body = "{\"channel\":\"web\",\"padding\":\"" + new string('x', 300 * 1024) + "\"}";

        var response = await client.PostAsync("/api/v1/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("retail.request.too-large", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_MalformedJson_Answers400Malformed()
    {
        using var client = api.ClientWith();

        var response = await client.PostAsync("/api/v1/orders", new StringContent("{\"channel\": \"web\", \"lines\": [", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("retail.request.malformed", problem.GetProperty("code").GetString());
        Assert.True(problem.TryGetProperty("errors", out _));
        Assert.DoesNotContain("Exception", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WrongValueType_NamesTheField()
    {
        using var client = api.ClientWith();

        var response = await client.PostAsync("/api/v1/orders",
            new StringContent("""{"channel":"web","channelOrderId":"x","currency":"USD","lines":[{"lineId":"1","sku":"A","quantity":"two"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("lines[0].quantity", out _), errors.ToString());
    }

    [Fact]
    public async Task Get_UnknownRoute_Answers404Problem()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("retail.route.not-found", (await response.JsonAsync()).GetProperty("code").GetString());
    }
}
