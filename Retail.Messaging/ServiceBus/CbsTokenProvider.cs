using Azure.Core;

namespace Retail.Messaging.ServiceBus;

/// <summary>A token for claims-based security, with its type as the $cbs node expects it.</summary>
internal sealed record CbsToken(string Value, string Type, DateTimeOffset ExpiresAt);

/// <summary>Where tokens for $cbs put-token come from.</summary>
internal interface ICbsTokenProvider
{
    Task<CbsToken> GetTokenAsync(string audience, CancellationToken cancellationToken);
}

/// <summary>An Entra ID token (type <c>jwt</c>) from Azure.Identity, e.g. the app's managed identity.</summary>
internal sealed class EntraCbsTokenProvider(TokenCredential credential, string scope) : ICbsTokenProvider
{
    public const string ServiceBusScope = "https://servicebus.azure.net/.default";
    public const string EventHubsScope = "https://eventhubs.azure.net/.default";

    public async Task<CbsToken> GetTokenAsync(string audience, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
        return new CbsToken(token.Token, "jwt", token.ExpiresOn);
    }
}

/// <summary>A SAS token (type <c>servicebus.windows.net:sastoken</c>) signed with a shared access key.</summary>
internal sealed class SasCbsTokenProvider(string keyName, string key, TimeProvider time, TimeSpan lifetime) : ICbsTokenProvider
{
    public Task<CbsToken> GetTokenAsync(string audience, CancellationToken cancellationToken)
    {
        var expiresAt = time.GetUtcNow() + lifetime;
        return Task.FromResult(new CbsToken(SharedAccessSignature.Create(audience, keyName, key, expiresAt), "servicebus.windows.net:sastoken", expiresAt));
    }
}
