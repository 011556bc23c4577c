using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Retail.AppHost.Orchestration;

/// <summary>
/// A signing key made for this run and a bearer token with every scope, for trying the API in Development. The key
/// reaches the services in the same configuration shape that <c>dotnet user-jwts</c> writes, so the API's ordinary
/// JWT bearer set-up validates it.
/// </summary>
internal sealed class DevelopmentToken
{
    public const string Issuer = "retail-apphost";
    public const string Audience = "retail-api";
    public static readonly IReadOnlyList<string> AllScopes = ["orders.write", "orders.read", "inventory.read", "inventory.write", "ops"];

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>Configuration for the services, as environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["Authentication__Schemes__Bearer__ValidIssuer"] = Issuer,
        ["Authentication__Schemes__Bearer__ValidAudiences__0"] = Audience,
        ["Authentication__Schemes__Bearer__SigningKeys__0__Issuer"] = Issuer,
        ["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Convert.ToBase64String(_key),
        ["Authentication__Schemes__Bearer__SigningKeys__0__Length"] = "32",
    };

    public string Mint(TimeSpan lifetime, string subject = "developer")
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
        var signature = Encode(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    /// <summary>Prints the token and writes it to <c>{stateDirectory}/dev-token</c> for scripts and curl.</summary>
    public static async Task PrintAndSaveAsync(string token, string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        await File.WriteAllTextAsync(Path.Combine(stateDirectory, TokenFile), token);
        AnsiConsole.MarkupLine($"Bearer token with every scope (Development, valid 12 h; also in {Markup.Escape(Path.Combine(stateDirectory, TokenFile))}):");
        AnsiConsole.WriteLine(token);
    }

    public static void Delete(string stateDirectory) => File.Delete(Path.Combine(stateDirectory, TokenFile));

    private const string TokenFile = "dev-token";

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
