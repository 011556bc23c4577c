namespace Retail.Postgres;

/// <summary>Orleans hands over DateTime values of any kind; timestamptz columns take UTC only.</summary>
internal static class UtcDateTime
{
    public static DateTime From(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
