using System.CommandLine;
using System.Text;
using System.Text.Json;

using Retail.Contracts.Erp;
using Retail.Tools.App;
using Retail.Messaging;
using Spectre.Console;

namespace Retail.Tools.Erp;

/// <summary>
/// A development ERP console for a running distributed app: <c>erp send FILE</c> puts a message on erp-inbound,
/// <c>erp watch</c> prints what Retail sends on erp-outbound. It finds the broker in <c>.retail/endpoints.json</c>.
/// </summary>
internal static class ErpCommand
{
    public static Command Create(Option<string> stateDirectory)
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON file with the message body (CONTRACTS.md section 5)." };
        var type = new Option<string>("--type") { Description = "The MessageType.", Required = true };
        type.AcceptOnlyFromAmong([.. ErpMessageTypes.Inbound]);
        var send = new Command("send", "Send an ERP message from a JSON file to erp-inbound.") { file, type };
        send.SetAction((result, cancellationToken) => SendAsync(result.GetValue(stateDirectory)!, result.GetValue(file)!, result.GetValue(type)!, cancellationToken));

        var watch = new Command("watch", "Print every message Retail sends to the ERP (erp-outbound) until Ctrl+C; the watcher completes what it prints.");
        watch.SetAction((result, cancellationToken) => WatchAsync(result.GetValue(stateDirectory)!, cancellationToken));

        return new Command("erp", "Act as the ERP against a running distributed app.") { send, watch };
    }

    private static async Task<int> SendAsync(string stateDirectory, FileInfo file, string type, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(file.FullName)} does not exist.[/]");
            return 2;
        }
        var body = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        string session;
        try
        {
            using var document = JsonDocument.Parse(body);
            session = ErpMessageFactory.SessionFor(type, document.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(file.Name)} is not a {type} body: {Markup.Escape(exception.Message)}[/]");
            return 2;
        }
        await using var services = await ConnectAsync(stateDirectory);
        if (services is null)
        {
            return 2;
        }
        var message = ErpMessageFactory.Create(type, session, body);
        await services.GetRequiredService<IMessagePublisher>().PublishAsync(Entities.ErpInbound, message, cancellationToken);
        AnsiConsole.MarkupLine($"Sent [bold]{type}[/] (message id {message.MessageId}, session {Markup.Escape(session)}) to {Entities.ErpInbound}.");
        return 0;
    }

    private static async Task<int> WatchAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        await using var services = await ConnectAsync(stateDirectory);
        if (services is null)
        {
            return 2;
        }
        var processors = services.GetRequiredService<IMessageProcessorFactory>();
        await using var processor = await processors.StartAsync(Entities.ErpOutbound, (received, _) =>
        {
            var message = received.Message;
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(message.Subject ?? "?")}[/] id={Markup.Escape(message.MessageId)} session={Markup.Escape(message.SessionId ?? "")}");
            AnsiConsole.WriteLine(Encoding.UTF8.GetString(message.Body.Span));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { Sessions = true }, cancellationToken);
        AnsiConsole.MarkupLine($"Watching {Entities.ErpOutbound}; Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopped.");
        }
        return 0;
    }

    private static async Task<ServiceProvider?> ConnectAsync(string stateDirectory)
    {
        var app = await RunningApp.FindAsync(stateDirectory, CancellationToken.None);
        if (app is null)
        {
            return null;
        }
        if (app["broker"] is not { } broker)
        {
            AnsiConsole.MarkupLine("[red]The running app has no broker: the ERP console needs the distributed mode (the embedded mode keeps its messages in memory).[/]");
            return null;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = broker,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRetailMessaging(configuration);
        return services.BuildServiceProvider();
    }
}
