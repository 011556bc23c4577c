using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retail.Api.Endpoints;
using Retail.Api.Security;

namespace Retail.Api.Tests;

/// <summary>
/// The API with an embedded silo (Retail:Embedded) on free loopback ports, and a symmetric signing key through the same
/// configuration keys that <c>dotnet user-jwts</c> writes, so tests mint their own tokens.
/// </summary>
public class ApiFactory : WebApplicationFactory<KpiOptions>
{
    public const string Issuer = "retail-tests";
    public const string Audience = "retail-api";
    public const string ShopifySecret = "shpss_api-tests-shopify-secret";

    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);

    protected virtual string Environment => "Testing";

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        var settings = new Dictionary<string, string>
        {
            ["Retail:Embedded"] = "true",
            ["Orleans:ClusterId"] = "api-tests-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:DashboardPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
            ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
            ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
            ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(signingKey),
            ["RateLimiting:PermitsPerMinute"] = "100000",
            ["RateLimiting:Burst"] = "100000",
            ["Webhooks:Shopify:Secrets:0"] = ShopifySecret,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A signed token; <paramref name="lifetime"/> negative makes an expired one.</summary>
    public string Token(IEnumerable<string> scopes, string subject = "test-client", TimeSpan? lifetime = null, string scopeClaim = "scope")
    {
        var now = DateTime.UtcNow;
        var span = lifetime ?? TimeSpan.FromMinutes(30);
        var claims = new ClaimsIdentity([new Claim("sub", subject)]);
        if (scopeClaim == "roles")
        {
            claims.AddClaims(scopes.Select(scope => new Claim("roles", scope)));
        }
        else
        {
            claims.AddClaim(new Claim(scopeClaim, string.Join(' ', scopes)));
        }
        var issuedAt = span < TimeSpan.Zero ? now + span - TimeSpan.FromMinutes(10) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = span < TimeSpan.Zero ? now + span - TimeSpan.FromMinutes(6) : now + span,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A client whose token has <paramref name="scopes"/> (every scope when none are given).</summary>
    public HttpClient ClientWith(params string[] scopes)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(scopes.Length == 0 ? Scopes.All : scopes));
        return client;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
