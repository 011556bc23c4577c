using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Api.Paging;

/// <summary>Collects field errors of route and query parameters and throws them together, as the body validator does.</summary>
internal sealed class QueryValidation
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public QueryValidation Id(string field, string? value)
    {
        if (value is null || !CanonicalOrderValidator.IsValidId(value))
        {
            Add(field, $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        return this;
    }

    /// <summary>
    /// A SKU from a route: any usable SKU (<see cref="Skus"/>). A slash in a SKU travels as <c>%2F</c>, which routing
    /// leaves encoded; answers the SKU with it decoded.
    /// </summary>
    public string Sku(string field, string? value)
    {
        var sku = value?.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (Skus.Problem(sku) is { } problem)
        {
            Add(field, $"Must be a SKU of 1-{Skus.MaxLength} printable characters; {problem}.");
        }
        return sku ?? "";
    }

    public int Limit(int? limit)
    {
        var value = limit ?? PageCursor.DefaultLimit;
        if (value is < 1 or > PageCursor.MaxLimit)
        {
            Add("limit", $"Must be between 1 and {PageCursor.MaxLimit}.");
        }
        return value;
    }

    public string? Cursor(string? cursor, string filters)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        if (!PageCursor.TryDecode(cursor, filters, out var position))
        {
            Add("cursor", "Is not a cursor this list issued for these filters.");
            return null;
        }
        return position;
    }

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }

    public void ThrowIfInvalid()
    {
        if (errors.Count > 0)
        {
            throw new RetailValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
