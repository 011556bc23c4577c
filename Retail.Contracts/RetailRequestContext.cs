namespace Retail.Contracts;

/// <summary>Keys of the values that travel with every grain call in Orleans' RequestContext.</summary>
public static class RetailRequestContext
{
    /// <summary>The business correlation id of the flow that caused the call.</summary>
    public const string CorrelationIdKey = "retail.correlationId";
}
