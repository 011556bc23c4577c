using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Retail.Contracts.Storage;

namespace Retail.Postgres.Storage;

/// <summary>
/// The rows of the states that keep a keyed collection apart from their JSON (<see cref="IStateRows"/>), in
/// <c>retail_grain_row</c> (migration 0007). The grain storage adds these clauses to the statement that writes or clears
/// such a state, after its <c>written</c> CTE, so that the rows change only with the state and commit or roll back with it.
/// Parameters $1, $2 and $3 of that statement are the service id, the state name and the grain id.
/// </summary>
internal static class StateRowTable
{
    /// <summary>
    /// The query of one state (<c>state, version</c>, the version never null) and every stored row of it (<c>row_key,
    /// value</c>, with a null version), by the same three parameters: one statement, so one snapshot.
    /// </summary>
    public const string SelectWithState = """
        SELECT state, version, NULL::text AS row_key, NULL::text AS value
        FROM retail_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3
        UNION ALL
        SELECT NULL, NULL, row_key, value::text
        FROM retail_grain_row WHERE service_id = $1 AND state_name = $2 AND grain_id = $3
        """;

    /// <summary>The CTE that deletes every row of the state when <c>written</c> has a row (the state was cleared).</summary>
    public const string ClearClause =
        "\n, rows_cleared AS (DELETE FROM retail_grain_row WHERE service_id = $1 AND state_name = $2 AND grain_id = $3 AND EXISTS (SELECT 1 FROM written))";

    /// <summary>
    /// The CTEs that upsert the <paramref name="changed"/> rows that have a value and delete those that have none, for
    /// each row of <c>written</c>: no state written, no row touched. The rows travel as three array parameters (added to
    /// <paramref name="parameters"/>), so the text is the same whatever the number of rows and a connection prepares it once.
    /// </summary>
    public static string WriteClauses(IReadOnlyCollection<KeyValuePair<string, string?>> changed, NpgsqlParameterCollection parameters)
    {
        var stored = changed.Where(row => row.Value is not null).ToList();
        var keys = Add(parameters, NpgsqlDbType.Text, stored.Select(row => row.Key));
        var values = Add(parameters, NpgsqlDbType.Jsonb, stored.Select(row => row.Value!));
        var deleted = Add(parameters, NpgsqlDbType.Text, changed.Where(row => row.Value is null).Select(row => row.Key));
        return $"""

            , rows_stored AS (
                INSERT INTO retail_grain_row (service_id, state_name, grain_id, row_key, value)
                SELECT $1, $2, $3, r.row_key, r.value FROM written, unnest({keys}::text[], {values}::jsonb[]) AS r(row_key, value)
                ON CONFLICT (service_id, state_name, grain_id, row_key) DO UPDATE SET value = EXCLUDED.value)
            , rows_deleted AS (
                DELETE FROM retail_grain_row
                WHERE service_id = $1 AND state_name = $2 AND grain_id = $3 AND row_key = ANY({deleted}::text[]) AND EXISTS (SELECT 1 FROM written))
            """;
    }

    private static string Add(NpgsqlParameterCollection parameters, NpgsqlDbType elementType, IEnumerable<string> values)
    {
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | elementType, TypedValue = [.. values] });
        return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
    }
}
