using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.Processing;

/// <summary>Runs a handler inside its consumer activity; an exception or a cancelled handler means abandon.</summary>
internal static partial class MessageHandlerInvoker
{
    public static async Task<MessageOutcome> InvokeAsync(
        MessageHandler handler, ReceivedMessage received, string system, ILogger logger, CancellationToken cancellationToken)
    {
        using var activity = MessagingDiagnostics.StartProcess(received.Entity, system, received);
        MessageOutcome outcome;
        try
        {
            outcome = await handler(received, cancellationToken) ?? throw new InvalidOperationException("The handler returned no outcome.");
        }
        catch (Exception exception)
        {
            LogHandlerFailed(logger, exception, received.Entity, received.Message.MessageId, received.DeliveryCount);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity?.AddException(exception);
            outcome = MessageOutcome.Abandon;
        }

        activity?.SetTag("retail.messaging.outcome", outcome switch
        {
            MessageOutcome.Completed => "complete",
            MessageOutcome.DeadLettered => "dead-letter",
            _ => "abandon",
        });
        return outcome;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Handler for {Entity} failed on message {MessageId} (delivery {DeliveryCount}); the message is abandoned")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string entity, string messageId, int deliveryCount);
}
