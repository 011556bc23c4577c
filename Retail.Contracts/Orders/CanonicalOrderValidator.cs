namespace Retail.Contracts.Orders;

/// <summary>
/// The structural rules of CONTRACTS.md section 1. Business checks (unknown or unusable SKUs, totals that disagree
/// with the lines) are not here: they hold the order rather than reject it, so no order is lost over a SKU.
/// </summary>
public static class CanonicalOrderValidator
{
    public const int MaxLines = 500;
    public const int MaxIdLength = 200;

    /// <summary>Field path to messages; empty when the order is valid.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(CanonicalOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }

        if (order.OrderId is { } orderId && !IsValidId(orderId))
        {
            Add("orderId", $"Must be 1-{MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        if (string.IsNullOrEmpty(order.Channel) || !Channels.All.Contains(order.Channel))
        {
            Add("channel", $"Must be one of: {string.Join(", ", Channels.All)}.");
        }
        if (string.IsNullOrWhiteSpace(order.ChannelOrderId))
        {
            Add("channelOrderId", "Is required.");
        }
        else if (order.ChannelOrderId.Length > MaxIdLength)
        {
            Add("channelOrderId", $"Must be at most {MaxIdLength} characters.");
        }
        if (order.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            Add("currency", "Must be a three-letter ISO-4217 code in capitals.");
        }
        ValidateFulfillment(order.Fulfillment, Add);
        ValidateLines(order.Lines, Add);
        ValidateTotals(order.Totals, Add);
        if (order.Payment is { } payment && !PaymentStatuses.All.Contains(payment.Status))
        {
            Add("payment.status", $"Must be one of: {string.Join(", ", PaymentStatuses.All)}.");
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Throws <see cref="RetailValidationException"/> with every field error when the order is invalid.</summary>
    public static void EnsureValid(CanonicalOrder order)
    {
        var errors = Validate(order);
        if (errors.Count > 0)
        {
            throw new RetailValidationException(errors);
        }
    }

    /// <summary>An id that is safe as a grain key, a path segment and a message property.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    private static void ValidateFulfillment(Fulfillment? fulfillment, Action<string, string> add)
    {
        if (fulfillment is null)
        {
            add("fulfillment", "Is required.");
            return;
        }
        if (!FulfillmentMethods.All.Contains(fulfillment.Method))
        {
            add("fulfillment.method", "Must be 'ship' or 'pickup'.");
        }
        if (fulfillment.Method == FulfillmentMethods.Pickup && string.IsNullOrWhiteSpace(fulfillment.PickupLocationId))
        {
            add("fulfillment.pickupLocationId", "Is required for pickup.");
        }
    }

    private static void ValidateLines(IReadOnlyList<OrderLine>? lines, Action<string, string> add)
    {
        if (lines is null || lines.Count == 0)
        {
            add("lines", "At least one line is required.");
            return;
        }
        if (lines.Count > MaxLines)
        {
            add("lines", $"At most {MaxLines} lines.");
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var path = $"lines[{i}]";
            if (line is null)
            {
                add(path, "Must not be null.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line.LineId))
            {
                add($"{path}.lineId", "Is required.");
            }
            else if (!seen.Add(line.LineId))
            {
                add($"{path}.lineId", $"Duplicate lineId '{line.LineId}'.");
            }
            if (line.Quantity <= 0)
            {
                add($"{path}.quantity", "Must be a positive integer.");
            }
            if (line.UnitPrice < 0)
            {
                add($"{path}.unitPrice", "Must not be negative.");
            }
            if (line.Discount < 0)
            {
                add($"{path}.discount", "Must not be negative.");
            }
            if (line.Tax < 0)
            {
                add($"{path}.tax", "Must not be negative.");
            }
        }
    }

    private static void ValidateTotals(Totals? totals, Action<string, string> add)
    {
        if (totals is null)
        {
            return;
        }
        if (totals.Subtotal < 0) { add("totals.subtotal", "Must not be negative."); }
        if (totals.Discount < 0) { add("totals.discount", "Must not be negative."); }
        if (totals.Shipping < 0) { add("totals.shipping", "Must not be negative."); }
        if (totals.Tax < 0) { add("totals.tax", "Must not be negative."); }
        if (totals.GrandTotal < 0) { add("totals.grandTotal", "Must not be negative."); }
    }
}
