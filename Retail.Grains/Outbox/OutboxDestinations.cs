using Retail.Contracts.Exceptions;

namespace Retail.Grains.Outbox;

/// <summary>
/// Destinations inside the cluster. Broker entities (<c>retail-events</c>, <c>erp-outbound</c>, ...) are destinations
/// too, under their own names.
/// </summary>
public static class OutboxDestinations
{
    /// <summary>Exception raises and resolves (<see cref="ExceptionEffect"/>), delivered to the exception records.</summary>
    public const string Exceptions = "retail-exceptions";

    /// <summary>A stock position telling an order that it released reservations (<c>ReservationsReleased</c>); session = the order id.</summary>
    public const string ReleasedReservations = "order-reservations-released";

    /// <summary>A stock position telling an order what became of its promises from inbound supply (<c>PromisesChanged</c>); session = the order id.</summary>
    public const string PromisesChanged = "order-promises-changed";

    /// <summary>An order's summary for the in-memory order directory (<c>OrderSummary</c>), when the silo keeps one.</summary>
    public const string OrderDirectory = "order-directory";
}

/// <summary>A raise, or a resolve of the open record of a kind and business key.</summary>
public sealed record ExceptionEffect
{
    public ExceptionToRaise? Raise { get; init; }

    public string? ResolveKind { get; init; }

    public string? ResolveBusinessKey { get; init; }

    public string? Resolution { get; init; }
}
