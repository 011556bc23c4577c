using System.Net;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Functions.Tests.Webhooks;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.Stripe;

public sealed class StripeWebhookTests : IAsyncLifetime
{
    private const string OrderId = "ord-web-10001";
    private BridgeHost host = null!;

    public async Task InitializeAsync()
    {
        host = await BridgeHost.StartAsync(new Dictionary<string, string?> { ["Webhooks:UnknownOrderRetryPeriod"] = "00:30:00" });
        await host.Grains.Order(OrderId).SubmitAsync(new CanonicalOrder
        {
            OrderId = OrderId,
            Channel = Channels.Web,
            ChannelOrderId = "web-10001",
            Currency = "USD",
            Lines = [new OrderLine { LineId = "1", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m }],
            Payment = new Payment { Provider = "stripe", Reference = "pi_3QKx9HLkdIwHu7ix0Yb8dTq1", Status = PaymentStatuses.Pending },
        });
        await host.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference("stripe", "pi_3QKx9HLkdIwHu7ix0Yb8dTq1")).ClaimAsync(OrderId);
        while (host.Grains.Calls.TryDequeue(out _))
        {
        }
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static byte[] Succeeded => Samples.Bytes("Stripe", "payment_intent.succeeded.json");

    [Fact]
    public async Task PaymentIntentSucceeded_CapturesThePaymentOfTheOrderInItsMetadata()
    {
        var response = await host.PostStripeAsync(Succeeded);

        var answer = await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Equal(OrderId, answer.GetProperty("orderId").GetString());
        var update = Assert.Single(host.Grains.Order(OrderId).PaymentUpdates);
        Assert.Equal(PaymentStatuses.Captured, update.Status);
        Assert.Equal("stripe", update.Provider);
        Assert.Equal("pi_3QKx9HLkdIwHu7ix0Yb8dTq1", update.Reference);
        Assert.Equal(48.18m, update.Amount);
    }

    [Theory]
    [InlineData("2019-02-19")]
    [InlineData("2099-01-01.future")]
    public async Task PaymentIntentSucceeded_OfAnotherApiVersionThanTheLibrarys_IsApplied(string apiVersion)
    {
        Assert.NotEqual(global::Stripe.StripeConfiguration.ApiVersion, apiVersion);
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded).Replace("\"api_version\": \"2024-06-20\"", $"\"api_version\": \"{apiVersion}\"", StringComparison.Ordinal));

        var response = await host.PostStripeAsync(body);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var update = Assert.Single(host.Grains.Order(OrderId).PaymentUpdates);
        Assert.Equal(PaymentStatuses.Captured, update.Status);
        Assert.Equal(48.18m, update.Amount);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_WhenMetadataHasNoOrderId_FindsTheOrderByPaymentReference()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded).Replace("\"metadata\": { \"order_id\": \"ord-web-10001\" }", "\"metadata\": {}", StringComparison.Ordinal));

        var response = await host.PostStripeAsync(body);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Single(host.Grains.Order(OrderId).PaymentUpdates);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_WhenIntentAwaitsManualCapture_Authorizes()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded)
            .Replace("\"status\": \"succeeded\"", "\"status\": \"requires_capture\"", StringComparison.Ordinal)
            .Replace("\"amount_capturable\": 0", "\"amount_capturable\": 4818", StringComparison.Ordinal)
            .Replace("\"amount_received\": 4818", "\"amount_received\": 0", StringComparison.Ordinal));

        var response = await host.PostStripeAsync(body);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Equal(PaymentStatuses.Authorized, Assert.Single(host.Grains.Order(OrderId).PaymentUpdates).Status);
    }

    [Fact]
    public async Task PaymentFailed_FailsThePaymentWithTheDeclineReason()
    {
        await host.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference("stripe", "pi_3QKxAaLkdIwHu7ix1Kk2Ll3m")).ClaimAsync(OrderId);

        var response = await host.PostStripeAsync(Samples.Bytes("Stripe", "payment_intent.payment_failed.json"));

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var update = Assert.Single(host.Grains.Order(OrderId).PaymentUpdates);
        Assert.Equal(PaymentStatuses.Failed, update.Status);
        Assert.Equal("Your card has insufficient funds. (insufficient_funds)", update.Reason);
    }

    [Fact]
    public async Task ChargeRefunded_ConfirmsThePartialRefundUnderItsRefundId()
    {
        var response = await host.PostStripeAsync(Samples.Bytes("Stripe", "charge.refunded.json"));

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var refund = Assert.Single(host.Grains.Order(OrderId).Refunds);
        Assert.Equal("re_3QKx9HLkdIwHu7ix0Cd2Ef3g", refund.ProviderRefundId);
        Assert.Equal(24.99m, refund.Amount);
    }

    [Fact]
    public async Task Post_WhenSignedWithTheRotatedSecret_IsAccepted()
    {
        var response = await host.PostStripeAsync(Succeeded, BridgeHost.StripeRotatedSecret);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
    }

    [Fact]
    public async Task Post_WhenHeaderCarriesSeveralV1AndOnlyTheLastMatches_IsAccepted()
    {
        var valid = StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, host.Time.GetUtcNow());
        var header = valid.Replace(",v1=", $",v1={new string('a', 64)},v0={new string('b', 64)},v1=", StringComparison.Ordinal);

        var response = await host.PostStripeWithHeaderAsync(Succeeded, header);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("wrong secret")]
    [InlineData("expired")]
    [InlineData("future")]
    [InlineData("garbage hex")]
    [InlineData("no timestamp")]
    [InlineData("no v1")]
    [InlineData("nonsense")]
    public async Task Post_WhenSignatureHeaderIsBad_Answers401AndStoresNothing(string kind)
    {
        var now = host.Time.GetUtcNow();
        var header = kind switch
        {
            "missing" => null,
            "wrong secret" => StripeSigning.Header(Succeeded, "whsec_wrong", now),
            "expired" => StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, now.AddSeconds(-301)),
            "future" => StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, now.AddSeconds(301)),
            "garbage hex" => $"t={now.ToUnixTimeSeconds()},v1=zz{new string('0', 62)}",
            "no timestamp" => StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, now).Split(',')[1],
            "no v1" => $"t={now.ToUnixTimeSeconds()}",
            _ => "sha256=abc",
        };

        var response = await host.PostStripeWithHeaderAsync(Succeeded, header);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty, kind);
    }

    [Fact]
    public async Task Post_WhenTimestampIsJustInsideTheTolerance_IsAccepted()
    {
        var header = StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, host.Time.GetUtcNow().AddSeconds(-299));

        var response = await host.PostStripeWithHeaderAsync(Succeeded, header);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
    }

    [Fact]
    public async Task Post_WhenBodyWasTampered_Answers401AndStoresNothing()
    {
        var header = StripeSigning.Header(Succeeded, BridgeHost.StripeSecret, host.Time.GetUtcNow());
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded).Replace("4818", "1", StringComparison.Ordinal));

        var response = await host.PostStripeWithHeaderAsync(tampered, header);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenEventIsRedelivered_AnswersDuplicate()
    {
        await host.PostStripeAsync(Succeeded);

        var again = await host.PostStripeAsync(Succeeded);

        await Answers.OkAsync(again, WebhookStatuses.Duplicate);
        Assert.Single(host.Grains.Order(OrderId).PaymentUpdates);
    }

    [Fact]
    public async Task Post_WhenAnOlderStatusArrivesAfterCapture_ChangesNothing()
    {
        await host.PostStripeAsync(Succeeded);
        await host.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference("stripe", "pi_3QKxAaLkdIwHu7ix1Kk2Ll3m")).ClaimAsync(OrderId);

        var failed = await host.PostStripeAsync(Samples.Bytes("Stripe", "payment_intent.payment_failed.json"));

        await Answers.OkAsync(failed, WebhookStatuses.NoOp);
        Assert.Equal(PaymentStatuses.Captured, host.Grains.Order(OrderId).PaymentStatus);
    }

    [Fact]
    public async Task Post_WhenOrderIsUnknown_Answers503UntilTheRetryPeriodEndsThenAcknowledges()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded)
            .Replace("ord-web-10001", "ord-not-here", StringComparison.Ordinal)
            .Replace("pi_3QKx9HLkdIwHu7ix0Yb8dTq1", "pi_unknown", StringComparison.Ordinal));

        var early = await host.PostStripeAsync(body);
        host.Time.Advance(TimeSpan.FromMinutes(31));
        var late = await host.PostStripeAsync(body);

        await Answers.ProblemAsync(early, HttpStatusCode.ServiceUnavailable, ProblemCodes.OrderNotFound);
        Assert.NotNull(early.Headers.RetryAfter);
        await Answers.OkAsync(late, WebhookStatuses.UnknownOrder);
        var record = Assert.Single(host.Grains.Registry.Records);
        Assert.Equal(ExceptionKinds.UnknownOrder, record.Kind);
        Assert.Equal("stripe/pi_unknown", record.BusinessKey);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(ExceptionStatus.Open, record.Status);
    }

    [Fact]
    public async Task Post_WhenTheOrderArrivesAfterAnUnknownOrderAnswer_AppliesTheEventAndResolvesTheRecord()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded).Replace("ord-web-10001", "ord-late", StringComparison.Ordinal));
        var first = await host.PostStripeAsync(body);
        await host.Grains.Order("ord-late").SubmitAsync(new CanonicalOrder
        {
            OrderId = "ord-late", Channel = Channels.Web, ChannelOrderId = "web-late", Currency = "USD",
            Lines = [new OrderLine { LineId = "1", Sku = "S", Quantity = 1, UnitPrice = 1 }],
        });

        var retried = await host.PostStripeAsync(body);

        await Answers.ProblemAsync(first, HttpStatusCode.ServiceUnavailable, ProblemCodes.OrderNotFound);
        await Answers.OkAsync(retried, WebhookStatuses.Processed);
        Assert.Equal(ExceptionStatus.Resolved, Assert.Single(host.Grains.Registry.Records).Status);
    }

    [Fact]
    public async Task Post_WhenEventTypeIsNotHandled_AnswersIgnored()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"customer.created\",\"created\":1795424000,\"data\":{\"object\":{\"id\":\"cus_1\"}}}");

        var response = await host.PostStripeAsync(body);

        await Answers.OkAsync(response, WebhookStatuses.Ignored);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenAmountHasTheWrongType_Answers400()
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Succeeded).Replace("\"amount_received\": 4818", "\"amount_received\": \"lots\"", StringComparison.Ordinal));

        var response = await host.PostStripeAsync(body);

        await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.MalformedJson);
        Assert.True(host.Grains.Calls.IsEmpty);
    }
}
