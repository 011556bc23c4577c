using Retail.Contracts;

namespace Retail.Tools.Tokens;

/// <summary>A token as POST /ops/dev-token answers it.</summary>
internal sealed record MintedToken(string AccessToken, DateTimeOffset ExpiresAt, string Subject, IReadOnlyList<string> Scopes);

/// <summary>Asks the running API (Development only) for a bearer token with the given scopes, subject and lifetime.</summary>
internal static class DevelopmentTokenClient
{
    public static async Task<MintedToken> MintAsync(Uri api, IReadOnlyList<string> scopes, string? subject, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync("ops/dev-token", new { scopes, subject, lifetime }, RetailJson.Options, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {api}ops/dev-token answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return await response.Content.ReadFromJsonAsync<MintedToken>(RetailJson.Options, cancellationToken)
            ?? throw new HttpRequestException("POST /ops/dev-token answered no token.");
    }
}
