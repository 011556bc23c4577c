using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Retail.Api.Security;

/// <summary>A token with every scope, handed to the operations dashboard.</summary>
public sealed record DevelopmentToken(string AccessToken, DateTimeOffset ExpiresAt, IReadOnlyList<string> Scopes);

/// <summary>
/// POST /ops/dev-token: mints a bearer token with every scope from the first configured symmetric signing key. Mapped
/// only when the environment is Development and such a key is configured, so it cannot exist in production.
/// </summary>
internal static class DevelopmentTokens
{
    public const string Path = "/ops/dev-token";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public static void MapDevelopmentTokens(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || SigningKey.From(app.Configuration) is not { } key)
        {
            return;
        }
        app.MapPost(Path, () => Mint(key, TimeProvider.System)).ExcludeFromDescription().AllowAnonymous();
    }

    private static Ok<DevelopmentToken> Mint(SigningKey key, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var expires = now + Lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = key.Issuer,
            Audience = key.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "ops-dashboard"), new Claim("scope", string.Join(' ', Scopes.All))]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key.Bytes), SecurityAlgorithms.HmacSha256),
        };
        var token = new JsonWebTokenHandler().CreateToken(descriptor);
        return TypedResults.Ok(new DevelopmentToken(token, expires, Scopes.All));
    }

    /// <summary>The first signing key of the bearer configuration, in the shape <c>dotnet user-jwts</c> writes.</summary>
    private sealed record SigningKey(byte[] Bytes, string? Issuer, string? Audience)
    {
        public static SigningKey? From(IConfiguration configuration)
        {
            var section = configuration.GetSection(RetailAuthentication.SchemeSection);
            var first = section.GetSection("SigningKeys").GetChildren().FirstOrDefault();
            if (first?["Value"] is not { Length: > 0 } value)
            {
                return null;
            }
            var audience = section.GetSection("ValidAudiences").GetChildren().FirstOrDefault()?.Value ?? section["ValidAudience"];
            return new SigningKey(Convert.FromBase64String(value), first["Issuer"] ?? section["ValidIssuer"], audience);
        }
    }
}
