using System.CommandLine;
using System.Globalization;
using Retail.Tools.App;

namespace Retail.Tools.Tokens;

/// <summary>
/// <c>token</c>: a bearer token for the running app with the scopes, subject and lifetime asked for, printed alone on
/// stdout (for <c>$(...)</c> in scripts); what it grants goes to stderr.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(Option<string> stateDirectory)
    {
        var scopes = new Option<string[]>("--scope")
        {
            Description = "A scope to grant (repeat it): orders.write, orders.read, inventory.read, inventory.write, ops. Default: every scope.",
            AllowMultipleArgumentsPerToken = true,
        };
        var subject = new Option<string?>("--subject") { Description = "The token's subject (sub); each subject has its own rate-limit bucket. Default: developer." };
        var lifetime = new Option<TimeSpan?>("--lifetime")
        {
            Description = "How long the token is valid, as hh:mm:ss or d.hh:mm:ss (at most 7 days). Default: 08:00:00.",
            CustomParser = result => TimeSpan.Parse(result.Tokens[0].Value, CultureInfo.InvariantCulture),
        };
        var api = new Option<Uri?>("--api") { Description = "The API's address (default: from .retail/endpoints.json)." };
        var command = new Command("token", "Mint a bearer token for the running app (Development).") { scopes, subject, lifetime, api };
        command.SetAction(async (result, cancellationToken) =>
        {
            var address = result.GetValue(api);
            if (address is null)
            {
                var app = await RunningApp.FindAsync(result.GetValue(stateDirectory)!, cancellationToken);
                if (app?["api"] is not { } url)
                {
                    return 2;
                }
                address = new Uri(url);
            }
            try
            {
                var token = await DevelopmentTokenClient.MintAsync(address, result.GetValue(scopes) ?? [], result.GetValue(subject), result.GetValue(lifetime), cancellationToken);
                await Console.Error.WriteLineAsync($"subject {token.Subject}, scopes {string.Join(' ', token.Scopes)}, expires {token.ExpiresAt:u}");
                Console.WriteLine(token.AccessToken);
                return 0;
            }
            catch (HttpRequestException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 1;
            }
        });
        return command;
    }
}
