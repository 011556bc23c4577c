namespace Retail.Messaging;

/// <summary>Names for dead-lettered messages, the same on every transport.</summary>
public static class DeadLetter
{
    /// <summary>Application property holding why a message was dead-lettered (Service Bus's own name).</summary>
    public const string ReasonProperty = "DeadLetterReason";

    /// <summary>Application property holding the longer description of why a message was dead-lettered.</summary>
    public const string DescriptionProperty = "DeadLetterErrorDescription";

    /// <summary>The reason given when a message ran out of deliveries.</summary>
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    private const string QueueSuffix = "/$DeadLetterQueue";

    /// <summary>The entity to read an entity's dead letters from, e.g. <c>erp-inbound/$DeadLetterQueue</c>.</summary>
    public static string QueueOf(string entity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        return IsDeadLetterQueue(entity, out _) ? throw new ArgumentException($"'{entity}' is already a dead-letter queue.", nameof(entity)) : entity + QueueSuffix;
    }

    /// <summary>Whether <paramref name="entity"/> names a dead-letter queue, and if so of which entity.</summary>
    public static bool IsDeadLetterQueue(string entity, out string parent)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (entity.EndsWith(QueueSuffix, StringComparison.OrdinalIgnoreCase))
        {
            parent = entity[..^QueueSuffix.Length];
            return true;
        }

        parent = entity;
        return false;
    }
}
