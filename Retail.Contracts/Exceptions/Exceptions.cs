namespace Retail.Contracts.Exceptions;

/// <summary>The kinds of exception record; each names the step a retry re-runs.</summary>
public static class ExceptionKinds
{
    public const string PaymentTimeout = "PaymentTimeout";
    public const string PaymentFailed = "PaymentFailed";
    public const string UnknownSku = "UnknownSku";
    public const string TotalsMismatch = "TotalsMismatch";
    public const string Backordered = "Backordered";
    public const string PostingRejected = "PostingRejected";
    public const string InventoryVariance = "InventoryVariance";
    /// <summary>A message was dead-lettered; retry re-submits the original message.</summary>
    public const string DeadLetter = "DeadLetter";
    /// <summary>The payment provider took money for an order already cancelled: a refund is requested; open until it is confirmed.</summary>
    public const string PaymentAfterCancellation = "PaymentAfterCancellation";
    /// <summary>A webhook or message referred to an order Retail does not have.</summary>
    public const string UnknownOrder = "UnknownOrder";
}

public enum ExceptionStatus
{
    Open,
    Resolved,
}

/// <summary>A hold or failure that a person can see, retry or resolve.</summary>
[GenerateSerializer, Immutable, Alias("Retail.ExceptionRecord")]
public sealed record ExceptionRecord
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public string Kind { get; init; } = "";
    /// <summary>The order id, inventory key or message id the exception is about.</summary>
    [Id(2)] public string BusinessKey { get; init; } = "";
    [Id(3)] public string Reason { get; init; } = "";
    [Id(4)] public int Attempts { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(7)] public ExceptionStatus Status { get; init; }
    [Id(8)] public string? Resolution { get; init; }
    [Id(9)] public string? CorrelationId { get; init; }
    /// <summary>For <see cref="ExceptionKinds.DeadLetter"/>: the original message, to re-submit on retry.</summary>
    [Id(10)] public DeadLetteredMessage? Message { get; init; }
}

/// <summary>A message as it was received, kept so that a retry can send it again after a fix.</summary>
[GenerateSerializer, Immutable, Alias("Retail.DeadLetteredMessage")]
public sealed record DeadLetteredMessage
{
    [Id(0)] public string Entity { get; init; } = "";
    [Id(1)] public string MessageId { get; init; } = "";
    [Id(2)] public string? SessionId { get; init; }
    [Id(3)] public string? MessageType { get; init; }
    [Id(4)] public string Body { get; init; } = "";
    [Id(5)] public string? CorrelationId { get; init; }
    [Id(6)] public string Description { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("Retail.ExceptionToRaise")]
public sealed record ExceptionToRaise
{
    [Id(0)] public string Kind { get; init; } = "";
    [Id(1)] public string BusinessKey { get; init; } = "";
    [Id(2)] public string Reason { get; init; } = "";
    [Id(3)] public DeadLetteredMessage? Message { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.ExceptionQuery")]
public sealed record ExceptionQuery
{
    [Id(0)] public ExceptionStatus? Status { get; init; } = ExceptionStatus.Open;
    [Id(1)] public string? Kind { get; init; }
    /// <summary>Only records created after this one in (createdAt, id) order: the paging cursor.</summary>
    [Id(2)] public string? After { get; init; }
    [Id(3)] public int Limit { get; init; } = 50;
}

/// <summary>
/// Every exception record (a single grain, key <see cref="Key"/>). Raising is idempotent per kind and business
/// key while a record is open; a raise of an open record counts an attempt.
/// </summary>
[Alias("Retail.IExceptionRegistryGrain")]
public interface IExceptionRegistryGrain : IGrainWithStringKey
{
    const string Key = "default";

    [Alias("Raise")]
    Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception);

    /// <summary>Oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ExceptionRecord>> ListAsync(ExceptionQuery query);

    [Alias("Get")]
    Task<ExceptionRecord?> GetAsync(string id);

    /// <summary>Re-runs the held step (or re-submits the dead-lettered message) and counts an attempt.</summary>
    [Alias("Retry")]
    Task<ExceptionRecord> RetryAsync(string id);

    [Alias("Resolve")]
    Task<ExceptionRecord> ResolveAsync(string id, string resolution);

    /// <summary>Resolves the open record of this kind and key, if any (the step succeeded on its own).</summary>
    [Alias("ResolveFor")]
    Task ResolveForAsync(string kind, string businessKey, string resolution);
}
