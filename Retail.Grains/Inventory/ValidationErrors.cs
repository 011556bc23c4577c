using Retail.Contracts;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Grains.Inventory;

/// <summary>Collects field errors of one call and throws them together.</summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    /// <summary>An operation id from another system: any text, but present and of bounded length.</summary>
    public void RequireId(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "Is required.");
        }
        else if (value.Length > CanonicalOrderValidator.MaxIdLength)
        {
            Add(field, $"Must be at most {CanonicalOrderValidator.MaxIdLength} characters.");
        }
    }

    public void RequireReservationId(string field, ReservationId? id)
    {
        if (id is null)
        {
            Add(field, "Is required.");
            return;
        }
        if (id.OrderId is null || !CanonicalOrderValidator.IsValidId(id.OrderId))
        {
            Add($"{field}.orderId", $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        RequireId($"{field}.lineId", id.LineId);
    }

    public void RequirePositive(string field, int value)
    {
        if (value <= 0)
        {
            Add(field, "Must be a positive integer.");
        }
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new RetailValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
