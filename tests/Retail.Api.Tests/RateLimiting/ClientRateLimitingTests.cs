using System.Net;

namespace Retail.Api.Tests.RateLimiting;

public sealed class ClientRateLimitingTests : IDisposable
{
    private readonly LimitedApiFactory api = new();

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task Requests_OverTheClientsBudget_Answer429WithRetryAfter()
    {
        using var client = api.ClientWith();
        await client.GetAsync("/api/v1/exceptions");
        await client.GetAsync("/api/v1/exceptions");

        var refused = await client.GetAsync("/api/v1/exceptions");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("retail.rate-limited", (await refused.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Requests_OfAnotherClient_HaveTheirOwnBudget()
    {
        using var first = api.ClientWith();
        using var second = api.CreateClient();
        second.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(Retail.Api.Security.Scopes.All, subject: "second-client"));
        for (var index = 0; index < 3; index++)
        {
            await first.GetAsync("/api/v1/exceptions");
        }

        var response = await second.GetAsync("/api/v1/exceptions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class LimitedApiFactory : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["RateLimiting:Kind"] = "FixedWindow",
            ["RateLimiting:PermitsPerMinute"] = "2",
        };
    }
}
