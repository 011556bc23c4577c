namespace Retail.Contracts;

/// <summary>The stable <c>code</c> values of problem+json answers and domain exceptions.</summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "retail.validation.failed";
    public const string OrderNotFound = "retail.order.not-found";
    public const string InvalidTransition = "retail.order.invalid-transition";
    public const string InsufficientInventory = "retail.inventory.insufficient";
    public const string InventoryNotFound = "retail.inventory.not-found";
    public const string ExceptionNotFound = "retail.exception.not-found";
    public const string TransferNotFound = "retail.transfer.not-found";
    public const string PurchaseOrderNotFound = "retail.purchase-order.not-found";
    public const string LocationNotFound = "retail.location.not-found";
    /// <summary>A supply document contradicts what is known of it (another location, a transfer already received).</summary>
    public const string SupplyConflict = "retail.supply.conflict";
    public const string WebhookSignatureInvalid = "retail.webhook.signature-invalid";
    public const string PayloadTooLarge = "retail.request.too-large";
    public const string MalformedJson = "retail.request.malformed";
    public const string IdempotencyConflict = "retail.idempotency.conflict";
    public const string Unauthorized = "retail.auth.unauthorized";
    public const string Forbidden = "retail.auth.forbidden";
    public const string RateLimited = "retail.rate-limited";
    public const string Internal = "retail.internal";
}
