using System.Net;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Functions.Orders;
using Retail.Functions.Tests.Webhooks;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.Shopify;

public sealed class ShopifyWebhookTests : IAsyncLifetime
{
    private BridgeHost host = null!;

    public async Task InitializeAsync() => host = await BridgeHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static byte[] Order => Samples.Bytes("Shopify", "orders-create.json");

    private static string OrderIdOf(string shopifyId) => OrderIntake.OrderIdFor(Channels.Shopify, shopifyId);

    [Fact]
    public async Task OrdersCreate_WhenSignedWithCurrentSecret_TakesInTheCanonicalOrder()
    {
        var response = await host.PostShopifyAsync("orders/create", Order);

        var answer = await Answers.OkAsync(response, WebhookStatuses.Processed);
        var orderId = OrderIdOf("5923418800312");
        Assert.Equal(orderId, answer.GetProperty("orderId").GetString());
        var submitted = host.Grains.Order(orderId).Submitted!;
        Assert.Equal(Channels.Shopify, submitted.Channel);
        Assert.Equal("5923418800312", submitted.ChannelOrderId);
        Assert.Equal(["14655210012345", "14655210045678"], submitted.Lines.Select(line => line.LineId));
        Assert.Equal(PaymentStatuses.Captured, submitted.Payment!.Status);
        Assert.True(response.Headers.Contains("X-Correlation-Id"));
    }

    [Theory]
    [InlineData("TEE/BLK M")]
    [InlineData("Größe 42 (rot) #7")]
    [InlineData("SKU@WAREHOUSE 50%")]
    public async Task OrdersCreate_WithSkuOfSlashesSpacesOrPunctuation_TakesInTheSkuAsSent(string sku)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(Order).Replace("SOCK-TRL-CHR-M", sku, StringComparison.Ordinal));

        var response = await host.PostShopifyAsync("orders/create", body);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var submitted = host.Grains.Order(OrderIdOf("5923418800312")).Submitted!;
        Assert.Equal(sku, submitted.Lines[0].Sku);
    }

    [Fact]
    public async Task OrdersCreate_WhenSignedWithTheOlderRotatedSecret_IsAccepted()
    {
        var response = await host.PostShopifyAsync("orders/create", Order, BridgeHost.ShopifyOldSecret);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Single(host.Grains.SubmittedOrders);
    }

    public static TheoryData<string, string?> BadSignatures => new()
    {
        { "wrong secret", "shpss_not_the_secret" },
        { "missing header", null },
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task Post_WhenSignatureIsWrongOrMissing_Answers401AndStoresNothing(string because, string? secret)
    {
        var response = await host.PostShopifyAsync("orders/create", Order, secret);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty, because);
    }

    [Fact]
    public async Task Post_WhenBodyWasTamperedAfterSigning_Answers401AndStoresNothing()
    {
        var signature = WebhookSignature.ComputeBase64(Order, BridgeHost.ShopifyNewSecret);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Order).Replace("\"quantity\": 2", "\"quantity\": 20", StringComparison.Ordinal));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(tampered) };
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Webhook-Id", "wh-1");
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature);

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("")]
    public async Task Post_WhenSignatureIsGarbage_Answers401AndStoresNothing(string garbage)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(Order) };
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Webhook-Id", "wh-1");
        request.Headers.TryAddWithoutValidation("X-Shopify-Hmac-Sha256", garbage);

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenSameEventIsDeliveredAgain_AnswersDuplicateAndTakesInOnce()
    {
        var first = await Answers.OkAsync(await host.PostShopifyAsync("orders/create", Order, eventId: "evt-1"), WebhookStatuses.Processed);

        var again = await Answers.OkAsync(await host.PostShopifyAsync("orders/create", Order, eventId: "evt-1"), WebhookStatuses.Duplicate);

        Assert.Equal(OrderIdOf("5923418800312"), again.GetProperty("orderId").GetString());
        Assert.Equal(first.GetProperty("orderId").GetString(), again.GetProperty("orderId").GetString());
        Assert.Equal(first.GetProperty("outcome").GetString(), again.GetProperty("outcome").GetString());
        Assert.Equal(1, host.Grains.Order(OrderIdOf("5923418800312")).SubmitCount);
    }

    [Fact]
    public async Task Post_WhenSameEventArrivesFiveTimesConcurrently_ProcessesItOnce()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.PostShopifyAsync("orders/create", Order, eventId: "evt-concurrent")));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var statuses = await Task.WhenAll(responses.Select(async r => (await Answers.JsonAsync(r)).GetProperty("status").GetString()));
        Assert.Single(statuses, status => status == WebhookStatuses.Processed);
        Assert.Equal(4, statuses.Count(status => status == WebhookStatuses.Duplicate));
        Assert.Equal(1, host.Grains.Order(OrderIdOf("5923418800312")).SubmitCount);
    }

    [Fact]
    public async Task Post_WhenOrderIsResentUnderAnotherEventId_TakesInOneOrder()
    {
        await host.PostShopifyAsync("orders/create", Order, eventId: "evt-a");

        var response = await host.PostShopifyAsync("orders/create", Order, eventId: "evt-b");

        var answer = await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Contains("already taken in", answer.GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.Single(host.Grains.SubmittedOrders);
    }

    [Fact]
    public async Task Post_WhenTopicIsNotHandled_AnswersIgnored()
    {
        var response = await host.PostShopifyAsync("products/update", Encoding.UTF8.GetBytes("{\"id\":1}"));

        await Answers.OkAsync(response, WebhookStatuses.Ignored);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenBodyIsOverOneMebibyte_Answers413AndStoresNothing()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":1,\"note\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");

        var response = await host.PostShopifyAsync("orders/create", body);

        await Answers.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenOversizedBodyIsChunkedWithoutContentLength_Answers413()
    {
        var body = Encoding.UTF8.GetBytes("{\"note\":\"" + new string('y', 2 * 1024 * 1024) + "\"}");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new StreamContent(new UnknownLengthStream(body)) };
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Webhook-Id", "wh-chunked");
        request.Headers.Add("X-Shopify-Hmac-Sha256", WebhookSignature.ComputeBase64(body, BridgeHost.ShopifyNewSecret));

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "empty", "" },
        { "not json", "id=1&name=%231042" },
        { "deeply nested", new string('[', 5000) + new string(']', 5000) },
        { "wrong types", "{\"id\": 5923418800312, \"line_items\": [{\"id\": 1, \"quantity\": \"two\", \"price\": \"19.99\"}]}" },
        { "truncated", "{\"id\": 5923418800312, \"line_items\": [" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Post_WhenBodyIsMalformed_Answers400AndStoresNothing(string because, string body)
    {
        var response = await host.PostShopifyAsync("orders/create", Encoding.UTF8.GetBytes(body));

        await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.MalformedJson);
        Assert.True(host.Grains.Calls.IsEmpty, because);
    }

    [Fact]
    public async Task Post_WhenOrderHasNoLines_Answers400WithFieldErrors()
    {
        var response = await host.PostShopifyAsync("orders/create", Encoding.UTF8.GetBytes("{\"id\": 42, \"currency\": \"USD\", \"line_items\": []}"));

        var problem = await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines", out _));
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task OrdersUpdated_WhenShopifyMarksAnAuthorizedOrderPaid_CapturesThePayment()
    {
        var pickup = Samples.Read("Shopify", "orders-create-pickup.json");
        await host.PostShopifyAsync("orders/create", Encoding.UTF8.GetBytes(pickup));
        var paid = Encoding.UTF8.GetBytes(pickup.Replace("\"financial_status\": \"authorized\"", "\"financial_status\": \"paid\"", StringComparison.Ordinal));

        var response = await host.PostShopifyAsync("orders/updated", paid);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var order = host.Grains.Order(OrderIdOf("5923418899001"));
        var update = Assert.Single(order.PaymentUpdates);
        Assert.Equal(PaymentStatuses.Captured, update.Status);
        Assert.Equal(63.50m, update.Amount);
    }

    [Fact]
    public async Task OrdersUpdated_WhenPaymentDidNotMoveForward_ChangesNothing()
    {
        await host.PostShopifyAsync("orders/create", Order);

        var response = await host.PostShopifyAsync("orders/updated", Order);

        await Answers.OkAsync(response, WebhookStatuses.NoOp);
        Assert.Empty(host.Grains.Order(OrderIdOf("5923418800312")).PaymentUpdates);
    }

    [Fact]
    public async Task OrdersUpdated_WhenOrderIsNotKnownYet_TakesItIn()
    {
        var response = await host.PostShopifyAsync("orders/updated", Order);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Single(host.Grains.SubmittedOrders);
    }

    [Fact]
    public async Task OrdersCancelled_CancelsTheWholeOrderAndThenAnswersNoOp()
    {
        await host.PostShopifyAsync("orders/create", Order);
        var cancelled = Encoding.UTF8.GetBytes(Samples.Read("Shopify", "orders-create.json")
            .Replace("\"cancel_reason\": null", "\"cancel_reason\": \"customer\"", StringComparison.Ordinal));

        var first = await host.PostShopifyAsync("orders/cancelled", cancelled);
        var second = await host.PostShopifyAsync("orders/cancelled", cancelled);

        await Answers.OkAsync(first, WebhookStatuses.Processed);
        await Answers.OkAsync(second, WebhookStatuses.NoOp);
        var order = host.Grains.Order(OrderIdOf("5923418800312"));
        Assert.Contains("customer", Assert.Single(order.Cancellations).Reason, StringComparison.Ordinal);
        Assert.Equal(2, order.CancelledQuantity("14655210012345"));
    }

    [Fact]
    public async Task OrdersCancelled_WhenOrderIsUnknown_Answers503AndRaisesUnknownOrder()
    {
        var response = await host.PostShopifyAsync("orders/cancelled", Order);

        await Answers.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, ProblemCodes.OrderNotFound);
        var record = Assert.Single(host.Grains.Registry.Records);
        Assert.Equal(ExceptionKinds.UnknownOrder, record.Kind);
        Assert.Equal("shopify/5923418800312", record.BusinessKey);
        Assert.Empty(host.Grains.Dedupes);
    }

    [Fact]
    public async Task RefundsCreate_CancelsUnfulfilledUnitsAndConfirmsTheRefund()
    {
        await host.PostShopifyAsync("orders/create", Order);

        var response = await host.PostShopifyAsync("refunds/create", Samples.Bytes("Shopify", "refunds-create.json"));

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var order = host.Grains.Order(OrderIdOf("5923418800312"));
        Assert.Equal(1, order.CancelledQuantity("14655210012345"));
        var refund = Assert.Single(order.Refunds);
        Assert.Equal("shopify-6612345678901", refund.ProviderRefundId);
        Assert.Equal(19.74m, refund.Amount);
    }

    [Fact]
    public async Task RefundsCreate_WhenRestockTypeIsReturn_AuthorizesAReturn()
    {
        await host.PostShopifyAsync("orders/create", Order);
        var returned = Samples.Read("Shopify", "refunds-create.json").Replace("\"restock_type\": \"cancel\"", "\"restock_type\": \"return\"", StringComparison.Ordinal);

        var response = await host.PostShopifyAsync("refunds/create", Encoding.UTF8.GetBytes(returned));

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var order = host.Grains.Order(OrderIdOf("5923418800312"));
        var authorized = Assert.Single(order.Returns);
        Assert.Equal("shopify-refund-998877665544", authorized.ReturnId);
        Assert.Equal(new LineQuantity { LineId = "14655210012345", Quantity = 1 }, Assert.Single(authorized.Lines));
        Assert.Equal(0, order.CancelledQuantity("14655210012345"));
    }

    [Fact]
    public async Task Post_WhenClusterIsUnavailable_Answers503AndARetrySucceeds()
    {
        host.Grains.Failure = call => call.Contains("Submit", StringComparison.Ordinal) ? new TimeoutException("Response did not arrive on time.") : null;

        var failed = await host.PostShopifyAsync("orders/create", Order, eventId: "evt-retry");
        host.Grains.Failure = null;
        var retried = await host.PostShopifyAsync("orders/create", Order, eventId: "evt-retry");

        await Answers.ProblemAsync(failed, HttpStatusCode.ServiceUnavailable, WebhookProblemCodes.Unavailable);
        await Answers.OkAsync(retried, WebhookStatuses.Processed);
        Assert.Single(host.Grains.SubmittedOrders);
    }

    [Fact]
    public async Task Post_EchoesTheCallersCorrelationIdInTheProblem()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(Order) };
        request.Headers.Add("X-Correlation-Id", "corr-shopify-1");

        var response = await host.Client.SendAsync(request);

        var problem = await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.Equal("corr-shopify-1", problem.GetProperty("correlationId").GetString());
        Assert.Equal("corr-shopify-1", response.Headers.GetValues("X-Correlation-Id").Single());
    }

    [Fact]
    public async Task Post_MakesTheRequestsCorrelationIdCurrentForTheGrainCalls()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(Order) };
        request.Headers.Add("X-Correlation-Id", "corr-shopify-2");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Webhook-Id", "wh-corr");
        request.Headers.Add("X-Shopify-Hmac-Sha256", WebhookSignature.ComputeBase64(Order, BridgeHost.ShopifyNewSecret));

        await host.Client.SendAsync(request);

        Assert.Contains(host.Grains.Correlated, entry => entry.Call.EndsWith(".Submit", StringComparison.Ordinal) && entry.CorrelationId == "corr-shopify-2");
    }

    /// <summary>A body stream whose length is unknown, so the request goes without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
