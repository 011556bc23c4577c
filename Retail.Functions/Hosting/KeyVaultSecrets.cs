using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace Retail.Functions.Hosting;

/// <summary>
/// The webhook secrets from Key Vault (<c>KeyVault:Uri</c>, Azure) as configuration: every enabled secret, its name with
/// <c>--</c> read as <c>:</c> (<c>Webhooks--Shopify--Secrets--0</c> is <c>Webhooks:Shopify:Secrets:0</c>). Read once at
/// start-up with the app's managed identity (<c>AZURE_CLIENT_ID</c>); a rotated secret is loaded by a restart.
/// </summary>
internal sealed class KeyVaultSecrets(SecretClient client) : ConfigurationProvider, IConfigurationSource
{
    public const string UriKey = "KeyVault:Uri";

    /// <summary>Adds the vault's secrets to <paramref name="configuration"/> when <c>KeyVault:Uri</c> is set.</summary>
    public static void AddTo(IConfigurationManager configuration)
    {
        if (configuration[UriKey] is { Length: > 0 } uri)
        {
            configuration.Add(new KeyVaultSecrets(new SecretClient(new Uri(uri), new DefaultAzureCredential())));
        }
    }

    public static string KeyOf(string secretName) => secretName.Replace("--", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var properties in client.GetPropertiesOfSecrets())
        {
            if (properties.Enabled == true)
            {
                data[KeyOf(properties.Name)] = client.GetSecret(properties.Name, properties.Version, CancellationToken.None).Value.Value;
            }
        }
        Data = data;
    }
}
