using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Retail.Functions.Hosting;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.Hosting;

public sealed class KeyVaultSecretsTests
{
    [Fact]
    public void Load_VaultWithWebhookSecrets_GivesTheBridgesConfigurationKeys()
    {
        var vault = new Vault(new()
        {
            ["Webhooks--Shopify--Secrets--0"] = ("shpss_old", true),
            ["Webhooks--Shopify--Secrets--1"] = ("shpss_new", true),
            ["Webhooks--Stripe--Secrets--0"] = ("whsec_retired", false),
            ["Webhooks--Sources--pos--Secret"] = ("pos-secret", true),
        });
        var configuration = new ConfigurationManager();

        ((IConfigurationBuilder)configuration).Add(new KeyVaultSecrets(vault));

        var options = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>()!;
        Assert.Equal(["shpss_old", "shpss_new"], options.Shopify.Secrets);
        Assert.Empty(options.Stripe.Secrets);
        Assert.Equal("pos-secret", configuration["Webhooks:Sources:pos:Secret"]);
    }

    [Fact]
    public void AddTo_WithoutAVaultUri_AddsNothing()
    {
        var configuration = new ConfigurationManager();

        KeyVaultSecrets.AddTo(configuration);

        Assert.DoesNotContain(((IConfigurationBuilder)configuration).Sources, source => source is KeyVaultSecrets);
    }

    /// <summary>A vault as Key Vault's client returns it (the SDK's mocking surface: virtual members, model factory).</summary>
    private sealed class Vault(Dictionary<string, (string Value, bool Enabled)> secrets) : SecretClient
    {
        public override Pageable<SecretProperties> GetPropertiesOfSecrets(CancellationToken cancellationToken = default) =>
            Pageable<SecretProperties>.FromPages(
            [
                Page<SecretProperties>.FromValues(
                    [.. secrets.Select(secret => new SecretProperties(secret.Key) { Enabled = secret.Value.Enabled })], null, new Ok()),
            ]);

        public override Response<KeyVaultSecret> GetSecret(string name, string? version, CancellationToken cancellationToken) =>
            Response.FromValue(new KeyVaultSecret(name, secrets[name].Value), new Ok());
    }

    private sealed class Ok : Response
    {
        public override int Status => 200;
        public override string ReasonPhrase => "OK";
        public override Stream? ContentStream { get; set; }
        public override string ClientRequestId { get; set; } = "";
        public override void Dispose() { }
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];
        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) { value = null; return false; }
        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values) { values = null; return false; }
    }
}
