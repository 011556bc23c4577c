using System.CommandLine;
using Retail.Tools.Tokens;

namespace Retail.Tools.Simulation;

/// <summary>
/// <c>simulate</c>: the traffic simulator, run by the AppHost as the <c>simulator</c> resource (started from the
/// dashboard). It finds the API and the bridge through service discovery (<c>services:api:http:0</c>,
/// <c>services:functions:http:0</c>) and the broker in <c>ConnectionStrings:messaging</c>.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command("simulate", "Drive realistic traffic into the running app until stopped (the AppHost's simulator resource).");
        command.SetAction(async (_, cancellationToken) =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var api = new Uri(configuration["services:api:http:0"] ?? throw new InvalidOperationException("services:api:http:0 is not set: run the simulator from the AppHost."));
            var bridge = new Uri(configuration["services:functions:http:0"] ?? throw new InvalidOperationException("services:functions:http:0 is not set: run the simulator from the AppHost."));
            var token = await DevelopmentTokenClient.MintAsync(api, [], "simulator", TimeSpan.FromDays(1), cancellationToken);
            await using var messaging = SimulationMessaging.ForBroker(configuration);
            try
            {
                await Simulator.RunAsync(new SimulationTarget(api, bridge, token.AccessToken, WebhookSecrets.From(configuration), messaging.Publisher, messaging.Processors), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine("simulate | stopped");
            }
            return 0;
        });
        return command;
    }
}
