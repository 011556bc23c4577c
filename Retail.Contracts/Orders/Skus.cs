namespace Retail.Contracts.Orders;

/// <summary>
/// SKUs as channels send them: any printable text (Shopify allows slashes, spaces and punctuation, e.g. <c>TEE/BLK M</c>).
/// Only a SKU Retail cannot handle is unusable: empty, with control characters, or longer than <see cref="MaxLength"/>.
/// An order is never refused over a SKU: one with an unusable SKU is held with an exception.
/// </summary>
public static class Skus
{
    public const int MaxLength = 255;

    public static bool IsUsable(string? sku) => Problem(sku) is null;

    /// <summary>Why the SKU cannot be used, in words; null when it can.</summary>
    public static string? Problem(string? sku) => sku switch
    {
        null or "" => "it is missing",
        _ when string.IsNullOrWhiteSpace(sku) => "it is blank",
        { Length: > MaxLength } => $"it is longer than {MaxLength} characters",
        _ when sku.Any(char.IsControl) => "it contains control characters",
        _ => null,
    };
}
