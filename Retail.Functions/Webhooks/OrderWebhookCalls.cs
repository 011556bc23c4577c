using Retail.Contracts;
using Retail.Contracts.Orders;
using Retail.Functions.Orders;

namespace Retail.Functions.Webhooks;

/// <summary>Calls an existing order for a webhook and turns the order's refusals into the documented answers.</summary>
internal sealed class OrderWebhookCalls(OrderIntake intake, UnknownOrders unknownOrders)
{
    /// <summary>
    /// Runs <paramref name="action"/> on the order. An unknown order goes to <see cref="UnknownOrders.HandleAsync"/>, an
    /// invalid transition to <see cref="UnknownOrders.RejectedAsync"/>, invalid input answers 400. When an earlier
    /// attempt of the delivery raised an unknown-order record (<paramref name="unknownOrderRaised"/>, kept durably by the
    /// delivery's dedupe record), the success that applies the event resolves it.
    /// </summary>
    public async Task<WebhookResult> ApplyAsync(
        string source, string reference, string? orderId, bool unknownOrderRaised, Func<IOrderGrain, string, Task<WebhookResult>> action)
    {
        if (orderId is null)
        {
            return await unknownOrders.HandleAsync(source, reference, $"No order has the {source} reference '{reference}'.");
        }
        WebhookResult result;
        try
        {
            result = await action(intake.Order(orderId), orderId);
        }
        catch (RetailValidationException exception)
        {
            return WebhookResult.Invalid(exception.Errors, exception.Message);
        }
        catch (RetailException exception) when (exception.Code == ProblemCodes.OrderNotFound)
        {
            return await unknownOrders.HandleAsync(source, reference, exception.Message);
        }
        catch (RetailException exception) when (exception.Code == ProblemCodes.InvalidTransition)
        {
            return await unknownOrders.RejectedAsync(orderId, exception.Message);
        }
        if (unknownOrderRaised && result.IsSuccess)
        {
            await unknownOrders.ResolveAsync(source, reference);
        }
        return result with { OrderId = result.OrderId ?? orderId };
    }
}
