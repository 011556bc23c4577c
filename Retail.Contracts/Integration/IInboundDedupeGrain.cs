namespace Retail.Contracts.Integration;

/// <summary>Where an inbound delivery (a webhook event or an ERP message) stands.</summary>
public enum DeliveryStatus
{
    /// <summary>Never processed, and nobody is processing it.</summary>
    Unseen,
    /// <summary>A caller holds the lease and is processing it now.</summary>
    InProgress,
    /// <summary>Processed; every later delivery is a duplicate.</summary>
    Completed,
}

/// <summary>The answer to <see cref="IInboundDedupeGrain.TryBeginAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("Retail.DeliveryClaim")]
public sealed record DeliveryClaim
{
    /// <summary>True when this caller now holds the lease and must process the delivery, then complete or release it.</summary>
    [Id(0)] public bool Acquired { get; init; }
    [Id(1)] public DeliveryStatus Status { get; init; }
    [Id(2)] public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>What the first processing did, in words; kept to answer duplicates.</summary>
    [Id(3)] public string? Outcome { get; init; }
    /// <summary>How many leases were acquired before this one since the grain activated (earlier failed attempts).</summary>
    [Id(4)] public int EarlierAttempts { get; init; }
    /// <summary>The order the first processing answered with, if any; kept to answer duplicates as the first did.</summary>
    [Id(5)] public string? OrderId { get; init; }
}

/// <summary>Exception kinds the integration bridge raises besides those of <c>ExceptionKinds</c>.</summary>
public static class IntegrationExceptionKinds
{
    /// <summary>
    /// A webhook was valid but the order's state refused it (e.g. a cancellation of an order that already shipped).
    /// Business key: the order id. A person resolves it; there is no step to re-run.
    /// </summary>
    public const string WebhookRejected = "WebhookRejected";
}

/// <summary>Builds the key of an <see cref="IInboundDedupeGrain"/> in one place.</summary>
public static class InboundDedupeKey
{
    /// <summary><c>{source}/{deliveryId}</c>, e.g. <c>shopify/{event id}</c>, <c>stripe/{event id}</c>, <c>erp/{message id}</c>.</summary>
    public static string For(string source, string deliveryId) => $"{source}/{deliveryId}";
}

/// <summary>
/// Durable dedupe of one inbound delivery (key: <see cref="InboundDedupeKey.For"/>). The grain serialises its callers:
/// of concurrent deliveries of the same event exactly one acquires the lease and processes it; the record of
/// completion is persisted, so a replay days later is still a duplicate. A lease that is neither completed nor released
/// (the processing process died) lapses after its duration, so the delivery can be processed again.
/// </summary>
[Alias("Retail.IInboundDedupeGrain")]
public interface IInboundDedupeGrain : IGrainWithStringKey
{
    /// <summary>Acquires the processing lease when the delivery is unseen (or its lease lapsed).</summary>
    [Alias("TryBegin")]
    Task<DeliveryClaim> TryBeginAsync(string leaseId, TimeSpan leaseDuration);

    /// <summary>Records that the delivery was processed (durably), with its outcome and order, and drops the lease. Idempotent.</summary>
    [Alias("Complete")]
    Task CompleteAsync(string leaseId, string outcome, string? orderId);

    /// <summary>Drops the lease without recording completion, so that a redelivery processes it again.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string leaseId);

    [Alias("Get")]
    Task<DeliveryClaim> GetAsync();
}
