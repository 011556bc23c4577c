using Retail.Contracts.Inventory;

namespace Retail.Contracts.Exceptions;

/// <summary>
/// The cause of an exception record, by which the queue is grouped: its kind and its business root. The root is the
/// SKU of a backorder, the location of an inventory variance, the source of an unknown order, the error code of an ERP
/// rejection, the message type of a dead letter; empty for kinds without one.
/// </summary>
public static class ExceptionCauses
{
    private const int MaxRootLength = 300;

    public static string RootOf(ExceptionToRaise exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var root = exception.Root ?? DerivedRoot(exception);
        return root.Length <= MaxRootLength ? root : root[..MaxRootLength];
    }

    private static string DerivedRoot(ExceptionToRaise exception) => exception.Kind switch
    {
        ExceptionKinds.InventoryVariance => LocationOf(exception.BusinessKey),
        ExceptionKinds.UnknownOrder => exception.BusinessKey.Split('/', 2)[0],
        ExceptionKinds.DeadLetter => exception.Message?.MessageType ?? exception.Message?.Entity ?? "",
        _ => "",
    };

    private static string LocationOf(string inventoryKey)
    {
        try
        {
            return InventoryKey.Parse(inventoryKey).LocationId;
        }
        catch (FormatException)
        {
            return inventoryKey;
        }
    }
}
