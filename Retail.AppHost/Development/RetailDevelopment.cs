using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Retail.AppHost.Development;

/// <summary>
/// What every service gets in Development: the environment name, a signing key made for this run in the shape
/// <c>dotnet user-jwts</c> writes (so the API's ordinary JWT bearer set-up validates the tokens minted with it), and the
/// webhook secrets (those in the AppHost's environment, else development values).
/// </summary>
public sealed class RetailDevelopment
{
    public const string Issuer = "retail-apphost";
    public const string Audience = "retail-api";
    public static readonly IReadOnlyList<string> AllScopes = ["orders.write", "orders.read", "inventory.read", "inventory.write", "ops"];
    public static readonly IReadOnlyList<string> WebhookSources = ["pos", "marketplace", "wms"];

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    public RetailDevelopment(IConfiguration configuration)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Authentication__Schemes__Bearer__ValidIssuer"] = Issuer,
            ["Authentication__Schemes__Bearer__ValidAudiences__0"] = Audience,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Issuer"] = Issuer,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Convert.ToBase64String(key),
            ["Authentication__Schemes__Bearer__SigningKeys__0__Length"] = "32",
            ["Webhooks__Shopify__Secrets__0"] = configuration["Webhooks:Shopify:Secrets:0"] ?? "development-shopify-secret",
            ["Webhooks__Stripe__Secrets__0"] = configuration["Webhooks:Stripe:Secrets:0"] ?? "whsec_development",
        };
        foreach (var source in WebhookSources)
        {
            environment[$"Webhooks__Sources__{source}__Secret"] = configuration[$"Webhooks:Sources:{source}:Secret"] ?? $"development-{source}-secret";
        }
        Environment = environment;
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>A bearer token with every scope, as the README's curl example uses it.</summary>
    public string MintToken(TimeSpan lifetime, string subject = "developer")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["scope"] = string.Join(' ', AllScopes),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
        }));
        var signature = Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public static class RetailDevelopmentExtensions
{
    /// <summary>Links to /ops and the API reference beside the API's address in the dashboard.</summary>
    public static IResourceBuilder<ProjectResource> WithRetailApiUrls(this IResourceBuilder<ProjectResource> api) =>
        api.WithUrls(context =>
        {
            if (context.Urls.FirstOrDefault(url => url.Endpoint?.EndpointName == "http") is { } http)
            {
                context.Urls.Add(new ResourceUrlAnnotation { Url = $"{http.Url.TrimEnd('/')}/ops", DisplayText = "/ops" });
                context.Urls.Add(new ResourceUrlAnnotation { Url = $"{http.Url.TrimEnd('/')}/scalar", DisplayText = "API reference" });
            }
        });

    public static RetailDevelopment AddRetailDevelopment(this IDistributedApplicationBuilder builder) => new(builder.Configuration);

    public static IResourceBuilder<T> WithRetailDevelopment<T>(this IResourceBuilder<T> resource, RetailDevelopment development)
        where T : IResourceWithEnvironment =>
        resource.WithEnvironment(context =>
        {
            foreach (var (name, value) in development.Environment)
            {
                context.EnvironmentVariables[name] = value;
            }
        });
}
