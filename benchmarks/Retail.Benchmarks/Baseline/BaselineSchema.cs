using Npgsql;
using NpgsqlTypes;
using Retail.Benchmarks.Workload;

namespace Retail.Benchmarks.Baseline;

/// <summary>The conventional design's tables: stock rows with a reserved counter, orders as jsonb, an outbox.</summary>
internal static class BaselineSchema
{
    public static async Task CreateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS locations (
                location_id text PRIMARY KEY,
                priority int NOT NULL);
            CREATE TABLE IF NOT EXISTS stock (
                sku text NOT NULL,
                location_id text NOT NULL REFERENCES locations,
                priority int NOT NULL,
                on_hand int NOT NULL,
                safety_stock int NOT NULL,
                reserved int NOT NULL DEFAULT 0,
                PRIMARY KEY (sku, location_id));
            CREATE TABLE IF NOT EXISTS orders (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                channel_order_id text NOT NULL,
                status text NOT NULL,
                ordered_units int NOT NULL,
                reserved_units int NOT NULL,
                body jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (channel, channel_order_id));
            CREATE TABLE IF NOT EXISTS outbox (
                id bigserial PRIMARY KEY,
                order_id text NOT NULL,
                type text NOT NULL,
                payload jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                dispatched_at timestamptz);
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task UpsertLocationsAsync(NpgsqlDataSource dataSource, IEnumerable<LocationSpec> locations, CancellationToken cancellationToken)
    {
        var list = locations.ToList();
        await using var command = dataSource.CreateCommand("""
            INSERT INTO locations (location_id, priority) SELECT * FROM unnest($1::text[], $2::int[])
            ON CONFLICT (location_id) DO UPDATE SET priority = excluded.priority
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(l => l.LocationId)] });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. list.Select(l => l.Priority)] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Sets stock rows by binary COPY into a staging table, then one upsert.</summary>
    public static async Task SetStockAsync(NpgsqlDataSource dataSource, IEnumerable<StockSpec> stock, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE stock_in (sku text, location_id text, on_hand int, safety_stock int) ON COMMIT DROP", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY stock_in FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in stock)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(row.Sku, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(row.LocationId, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(row.OnHand, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(row.SafetyStock, NpgsqlDbType.Integer, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO stock (sku, location_id, priority, on_hand, safety_stock)
            SELECT s.sku, s.location_id, l.priority, s.on_hand, s.safety_stock FROM stock_in s JOIN locations l USING (location_id)
            ON CONFLICT (sku, location_id) DO UPDATE SET on_hand = excluded.on_hand, safety_stock = excluded.safety_stock, priority = excluded.priority;
            ANALYZE stock;
            """, connection, transaction))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
