using System.Security.Claims;

namespace Retail.Api.Security;

/// <summary>
/// The API's scopes and the authorization policies built on them. A token grants a scope through <c>scope</c> or
/// <c>scp</c> (space separated, delegated tokens) or <c>roles</c> (application tokens from Entra ID).
/// </summary>
public static class Scopes
{
    public const string OrdersWrite = "orders.write";
    public const string OrdersRead = "orders.read";
    public const string InventoryRead = "inventory.read";
    public const string InventoryWrite = "inventory.write";
    public const string Ops = "ops";

    /// <summary>Policy for operations views (exception list, KPIs): <see cref="Ops"/> or <see cref="OrdersRead"/>.</summary>
    public const string OpsOrOrdersRead = "ops-or-orders.read";

    public static IReadOnlyList<string> All { get; } = [OrdersWrite, OrdersRead, InventoryRead, InventoryWrite, Ops];

    private static readonly string[] ScopeClaimTypes = ["scope", "scp", "http://schemas.microsoft.com/identity/claims/scope"];
    private static readonly string[] RoleClaimTypes = ["roles", "role", ClaimTypes.Role];

    /// <summary>Every scope and role the principal holds.</summary>
    public static IReadOnlySet<string> Granted(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in user.Claims)
        {
            if (ScopeClaimTypes.Contains(claim.Type, StringComparer.Ordinal))
            {
                granted.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (RoleClaimTypes.Contains(claim.Type, StringComparer.Ordinal))
            {
                granted.Add(claim.Value);
            }
        }
        return granted;
    }

    public static bool HasAny(ClaimsPrincipal user, params string[] scopes)
    {
        var granted = Granted(user);
        return scopes.Any(granted.Contains);
    }
}
