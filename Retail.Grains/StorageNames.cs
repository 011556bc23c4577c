namespace Retail.Grains;

/// <summary>The named grain storage providers the silo registers.</summary>
public static class StorageNames
{
    public const string Orders = "orders";
    public const string Inventory = "inventory";
    /// <summary>Registries (locations, exceptions, order index) and other operations state.</summary>
    public const string Operations = "operations";

    public static IReadOnlyList<string> All { get; } = [Orders, Inventory, Operations];
}
