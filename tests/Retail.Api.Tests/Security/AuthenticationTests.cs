using System.Net;
using System.Net.Http.Headers;
using Retail.Api.Security;

namespace Retail.Api.Tests.Security;

[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(ApiFactory api)
{
    [Fact]
    public async Task Get_WithoutToken_Answers401Problem()
    {
        using var client = api.CreateClient();

        var response = await client.GetAsync("/api/v1/kpis");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var problem = await response.JsonAsync();
        Assert.Equal("retail.auth.unauthorized", problem.GetProperty("code").GetString());
        Assert.Equal(response.Headers.GetValues("X-Correlation-Id").Single(), problem.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task Get_WithExpiredToken_Answers401()
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token(Scopes.All, lifetime: TimeSpan.FromMinutes(-1)));

        var response = await client.GetAsync("/api/v1/kpis");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("retail.auth.unauthorized", problem.GetProperty("code").GetString());
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithTokenOfAnotherIssuer_Answers401()
    {
        using var client = api.CreateClient();
        using var other = new ApiFactory();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", other.Token(Scopes.All));

        var response = await client.GetAsync("/api/v1/kpis");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Put_WithoutInventoryWriteScope_Answers403Problem()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.OrdersWrite);

        var response = await client.PutAsync("/api/v1/inventory/SKU-1/DC-1", new StringContent("""{"onHand":1,"safetyStock":0}""", null, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("retail.auth.forbidden", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Get_WithScopeInScpClaim_IsAllowed()
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token([Scopes.Ops], scopeClaim: "scp"));

        var response = await client.GetAsync("/api/v1/exceptions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithScopeAsRole_IsAllowed()
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token([Scopes.OrdersRead], scopeClaim: "roles"));

        var response = await client.GetAsync("/api/v1/exceptions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetExceptions_WithOnlyInventoryScope_Answers403()
    {
        using var client = api.ClientWith(Scopes.InventoryRead);

        var response = await client.GetAsync("/api/v1/exceptions");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
