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
    /// <summary>The business root of the cause, which groups records with the kind (<see cref="ExceptionCauses"/>).</summary>
    [Id(11)] public string Root { get; init; } = "";
    /// <summary>How many times a person retried or resolved the record (through the API); the manual touch rate counts them.</summary>
    [Id(12)] public int ManualTouches { get; init; }
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
    /// <summary>The business root of the cause when the raiser knows it (the SKUs of a backorder, an ERP error code); else derived.</summary>
    [Id(4)] public string? Root { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.ExceptionQuery")]
public sealed record ExceptionQuery
{
    [Id(0)] public ExceptionStatus? Status { get; init; } = ExceptionStatus.Open;
    [Id(1)] public string? Kind { get; init; }
    /// <summary>Only records created after this one in (createdAt, id) order: the paging cursor.</summary>
    [Id(2)] public string? After { get; init; }
    [Id(3)] public int Limit { get; init; } = 50;
    /// <summary>Only records created at or after this time.</summary>
    [Id(4)] public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only records of this business root (with <see cref="Kind"/>: one group).</summary>
    [Id(5)] public string? Root { get; init; }
}

/// <summary>Open exception records of one cause: a kind and its business root.</summary>
[GenerateSerializer, Immutable, Alias("Retail.ExceptionGroup")]
public sealed record ExceptionGroup
{
    [Id(0)] public string Kind { get; init; } = "";
    [Id(1)] public string Root { get; init; } = "";
    [Id(2)] public int Count { get; init; }
    [Id(3)] public DateTimeOffset OldestCreatedAt { get; init; }
    [Id(4)] public DateTimeOffset NewestCreatedAt { get; init; }
}

/// <summary>
/// The exception records of one business key (key: <see cref="ExceptionKey.For"/>): an order, a stock position, a
/// message. Raising is idempotent per kind while a record is open; a raise of an open record counts an attempt. No grain
/// holds records of two keys, so raises on different keys never share a write. Reach it through
/// <see cref="ExceptionRecords"/> to raise or resolve; the listing across keys is the operations projection.
/// </summary>
[Alias("Retail.IExceptionGrain")]
public interface IExceptionGrain : IGrainWithStringKey
{
    [Alias("Raise")]
    Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception);

    /// <summary>Every record of this key, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ExceptionRecord>> ListAsync();

    [Alias("Get")]
    Task<ExceptionRecord?> GetAsync(string id);

    /// <summary>Re-runs the held step (or re-submits the dead-lettered message) and counts an attempt.</summary>
    [Alias("Retry")]
    Task<ExceptionRecord> RetryAsync(string id);

    [Alias("Resolve")]
    Task<ExceptionRecord> ResolveAsync(string id, string resolution);

    /// <summary>Resolves the open record of this kind, if any (the step succeeded on its own).</summary>
    [Alias("ResolveOpen")]
    Task ResolveOpenAsync(string kind, string resolution);
}

/// <summary>
/// The key of an <see cref="IExceptionGrain"/>, built from the business key in one place: the first 20 hex digits of
/// its SHA-256, so any business key (a SKU with spaces, a message id) gives a short key that is safe in a record id.
/// A record id is <c>{kind}-{grain key}-{n}</c>, so the grain of a record is known from its id alone.
/// </summary>
public static class ExceptionKey
{
    private const int Length = 20;

    public static string For(string businessKey)
    {
        ArgumentNullException.ThrowIfNull(businessKey);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(businessKey)))[..Length];
    }

    /// <summary>The id of the <paramref name="number"/>th record of a grain.</summary>
    public static string RecordId(string kind, string grainKey, long number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kind}-{grainKey}-{number}");

    /// <summary>The grain key in a record id; null when the id is not one <see cref="RecordId"/> builds.</summary>
    public static string? OfRecord(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split('-');
        return parts.Length == 3 && parts[0].Length > 0 && parts[0].All(char.IsAsciiLetterOrDigit)
            && parts[1].Length == Length && parts[1].All(char.IsAsciiHexDigitLower)
            && parts[2].Length > 0 && parts[2].All(char.IsAsciiDigit)
            ? parts[1]
            : null;
    }
}
