using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Amqp;

namespace Retail.Messaging.ServiceBus;

/// <summary>
/// Claims-based security on one connection: <c>put-token</c> requests to the <c>$cbs</c> node (application
/// properties <c>operation</c>, <c>type</c>, <c>name</c> = the audience, <c>expiration</c>; the token as the body),
/// and a renewal on the same link before each token expires.
/// </summary>
internal sealed partial class CbsClient(AmqpConnectionScope scope, AmqpRequestResponseLink link, ICbsTokenProvider tokens, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Lazy<Task>> audiences = new(StringComparer.Ordinal);

    /// <summary>Puts a token for <paramref name="audience"/> once and keeps renewing it while the connection lives.</summary>
    public Task AuthorizeAsync(string audience, CancellationToken cancellationToken) =>
        audiences.GetOrAdd(audience, key => new Lazy<Task>(() => PutAndRenewAsync(key))).Value.WaitAsync(cancellationToken);

    /// <summary>How long before a token expires it is renewed: five minutes, or half its life when it is shorter.</summary>
    public static TimeSpan RenewalLead(TimeSpan lifetime) => lifetime > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(5) : lifetime / 2;

    private async Task PutAndRenewAsync(string audience)
    {
        var expiresAt = await PutTokenAsync(audience, scope.Closed);
        _ = RenewAsync(audience, expiresAt);
    }

    private async Task RenewAsync(string audience, DateTimeOffset expiresAt)
    {
        while (!scope.Closed.IsCancellationRequested)
        {
            var lifetime = expiresAt - time.GetUtcNow();
            var wait = lifetime - RenewalLead(lifetime);
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, scope.Closed);
                expiresAt = await PutTokenAsync(audience, scope.Closed);
            }
            catch (OperationCanceledException) when (scope.Closed.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is AmqpException or UnauthorizedAccessException or TimeoutException or Azure.Identity.AuthenticationFailedException or ObjectDisposedException)
            {
                LogRenewalFailed(logger, exception, audience, RetryDelay);
                expiresAt = time.GetUtcNow() + RetryDelay + RetryDelay;
            }
        }
    }

    private async Task<DateTimeOffset> PutTokenAsync(string audience, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(audience, cancellationToken);
        var request = new Message(token.Value)
        {
            ApplicationProperties = new ApplicationProperties(),
        };
        request.ApplicationProperties["operation"] = "put-token";
        request.ApplicationProperties["type"] = token.Type;
        request.ApplicationProperties["name"] = audience;
        request.ApplicationProperties["expiration"] = token.ExpiresAt.UtcDateTime;
        var reply = await link.RequestAsync(request, cancellationToken);
        var status = Convert.ToInt32(reply.ApplicationProperties?["status-code"] ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        if (status is not (200 or 202))
        {
            throw new UnauthorizedAccessException($"$cbs refused the {token.Type} token for {audience}: {status} {reply.ApplicationProperties?["status-description"]}");
        }

        LogTokenPut(logger, token.Type, audience, token.ExpiresAt);
        return token.ExpiresAt;
    }

    [LoggerMessage(EventId = 2801, Level = LogLevel.Debug, Message = "Put a {Type} token for {Audience}, valid until {ExpiresAt}")]
    private static partial void LogTokenPut(ILogger logger, string type, string audience, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 2802, Level = LogLevel.Warning, Message = "Renewing the token for {Audience} failed; retrying in {Delay}")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string audience, TimeSpan delay);
}
