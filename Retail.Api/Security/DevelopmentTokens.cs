using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retail.Api.Paging;

namespace Retail.Api.Security;

/// <summary>A development bearer token and what it grants.</summary>
public sealed record DevelopmentToken(string AccessToken, DateTimeOffset ExpiresAt, string Subject, IReadOnlyList<string> Scopes);

/// <summary>What a development token should grant; every field is optional (every scope, subject <c>developer</c>, 8 hours).</summary>
public sealed record DevelopmentTokenRequest(IReadOnlyList<string>? Scopes, string? Subject, TimeSpan? Lifetime);

/// <summary>
/// POST /ops/dev-token: mints a bearer token with the scopes, subject and lifetime asked for (each subject is its own
/// rate-limit bucket) from the first configured symmetric signing key. Mapped only when the environment is Development
/// and such a key is configured, so it cannot exist in production.
/// </summary>
internal static class DevelopmentTokens
{
    public const string Path = "/ops/dev-token";
    public const string DefaultSubject = "developer";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);
    private const int MaxSubjectLength = 200;

    public static void MapDevelopmentTokens(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || SigningKey.From(app.Configuration) is not { } key)
        {
            return;
        }
        app.MapPost(Path, ([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DevelopmentTokenRequest? request) => Mint(key, request, TimeProvider.System))
            .ExcludeFromDescription()
            .AllowAnonymous();
    }

    internal static Ok<DevelopmentToken> Mint(SigningKey key, DevelopmentTokenRequest? request, TimeProvider clock)
    {
        var scopes = request?.Scopes is { Count: > 0 } asked ? asked.Distinct(StringComparer.Ordinal).ToList() : [.. Scopes.All];
        var subject = string.IsNullOrWhiteSpace(request?.Subject) ? DefaultSubject : request.Subject.Trim();
        var lifetime = request?.Lifetime ?? DefaultLifetime;
        var validation = new QueryValidation();
        if (scopes.Except(Scopes.All, StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
        {
            validation.Add("scopes", $"Unknown scope(s) {string.Join(", ", unknown)}; the scopes are {string.Join(", ", Scopes.All)}.");
        }
        if (subject.Length > MaxSubjectLength)
        {
            validation.Add("subject", $"Must be at most {MaxSubjectLength} characters.");
        }
        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            validation.Add("lifetime", $"Must be between 00:00:01 and {MaxLifetime:c}.");
        }
        validation.ThrowIfInvalid();

        var now = clock.GetUtcNow();
        var expires = now + lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = key.Issuer,
            Audience = key.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", string.Join(' ', scopes))]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key.Bytes), SecurityAlgorithms.HmacSha256),
        };
        var token = new JsonWebTokenHandler().CreateToken(descriptor);
        return TypedResults.Ok(new DevelopmentToken(token, expires, subject, scopes));
    }

    /// <summary>The first signing key of the bearer configuration, in the shape <c>dotnet user-jwts</c> writes.</summary>
    internal sealed record SigningKey(byte[] Bytes, string? Issuer, string? Audience)
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
