using System.Data;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Benchmarks.Baseline;

/// <summary>
/// The conventional design, done as well as it can be: one READ COMMITTED transaction per order. Each line takes
/// stock with a conditional UPDATE on the first location, by priority, that still has enough (the condition is
/// re-checked on the locked row, so concurrent orders cannot oversell); then the order (jsonb) and an outbox row
/// go in with one statement, and the transaction commits. Lines are locked in SKU order (no deadlocks); all line
/// statements of an order travel in one batch; statements are prepared automatically by the pooled data source.
/// </summary>
internal sealed class BaselineOrderStore(NpgsqlDataSource dataSource)
{
    private const int MaxReserveRounds = 10;
    private const int MaxTransactionAttempts = 5;

    private const string ReserveSql = """
        WITH candidate AS (
            SELECT location_id FROM stock
            WHERE sku = $1 AND on_hand - safety_stock - reserved >= $2
            ORDER BY priority, location_id
            LIMIT 1),
        taken AS (
            UPDATE stock SET reserved = stock.reserved + $2
            FROM candidate
            WHERE stock.sku = $1 AND stock.location_id = candidate.location_id
              AND stock.on_hand - stock.safety_stock - stock.reserved >= $2
            RETURNING stock.location_id)
        SELECT (SELECT location_id FROM taken), EXISTS (SELECT 1 FROM candidate)
        """;

    private const string InsertSql = """
        WITH inserted AS (
            INSERT INTO orders (order_id, channel, channel_order_id, status, ordered_units, reserved_units, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT DO NOTHING
            RETURNING order_id)
        INSERT INTO outbox (order_id, type, payload) SELECT order_id, $8, $7 FROM inserted
        """;

    private const string ExistingSql = "SELECT order_id, status FROM orders WHERE (channel = $1 AND channel_order_id = $2) OR order_id = $3 LIMIT 1";

    public async Task<PlacedOrder> PlaceAsync(CanonicalOrder order, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PlaceOnceAsync(order, cancellationToken);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxTransactionAttempts)
            {
            }
        }
    }

    private async Task<PlacedOrder> PlaceOnceAsync(CanonicalOrder order, CancellationToken cancellationToken)
    {
        var orderId = order.OrderId ?? Guid.NewGuid().ToString("N");
        var lines = order.Lines.OrderBy(line => line.Sku, StringComparer.Ordinal).ThenBy(line => line.LineId, StringComparer.Ordinal).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

        var allocations = new string?[lines.Count];
        var open = Enumerable.Range(0, lines.Count).ToList();
        for (var round = 0; open.Count > 0 && round < MaxReserveRounds; round++)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var i in open)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(ReserveSql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = lines[i].Sku },
                        new NpgsqlParameter<int> { TypedValue = lines[i].Quantity },
                    },
                });
            }

            var lostRace = new List<int>();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                foreach (var i in open)
                {
                    await reader.ReadAsync(cancellationToken);
                    if (!reader.IsDBNull(0))
                    {
                        allocations[i] = reader.GetString(0);
                    }
                    else if (reader.GetBoolean(1))
                    {
                        lostRace.Add(i);
                    }

                    await reader.NextResultAsync(cancellationToken);
                }
            }

            open = lostRace;
        }

        var allocated = lines.Select((line, i) => new BaselineAllocation(line.LineId, line.Sku, allocations[i], allocations[i] is null ? 0 : line.Quantity)).ToList();
        var reservedUnits = allocated.Sum(a => a.Quantity);
        var orderedUnits = lines.Sum(line => line.Quantity);
        var paid = order.Payment?.Status is PaymentStatuses.Authorized or PaymentStatuses.Captured;
        var status = reservedUnits == orderedUnits ? (paid ? OrderStatus.Released : OrderStatus.Reserved) : OrderStatus.Backordered;
        var document = JsonSerializer.Serialize(new BaselineOrderDocument(order with { OrderId = orderId }, status, allocated), RetailJson.Options);

        await using (var insert = new NpgsqlCommand(InsertSql, connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = orderId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Channel });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = order.ChannelOrderId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status.ToString() });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = orderedUnits });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = reservedUnits });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document, NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = status == OrderStatus.Released ? "SalesOrderPosted" : "retail.order.backordered" });
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await transaction.CommitAsync(cancellationToken);
                return new PlacedOrder(true, orderId, status.ToString());
            }
        }

        await transaction.RollbackAsync(cancellationToken);
        await using var existing = new NpgsqlCommand(ExistingSql, connection);
        existing.Parameters.Add(new NpgsqlParameter<string> { TypedValue = order.Channel });
        existing.Parameters.Add(new NpgsqlParameter<string> { TypedValue = order.ChannelOrderId });
        existing.Parameters.Add(new NpgsqlParameter<string> { TypedValue = orderId });
        await using var found = await existing.ExecuteReaderAsync(cancellationToken);
        return await found.ReadAsync(cancellationToken)
            ? new PlacedOrder(false, found.GetString(0), found.GetString(1))
            : throw new InvalidOperationException($"Order '{orderId}' conflicted on insert but is not in the table.");
    }

    public async Task<AvailabilityResponse> GetAvailabilityAsync(string sku, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT location_id, on_hand, safety_stock, reserved FROM stock WHERE sku = $1 ORDER BY priority, location_id");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sku });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var locations = new List<LocationAvailability>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (onHand, safetyStock, reserved) = (reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
            locations.Add(new LocationAvailability(reader.GetString(0), onHand, reserved, safetyStock, Math.Max(0, onHand - safetyStock - reserved)));
        }

        return new AvailabilityResponse(sku, locations.Sum(l => l.Available), locations);
    }
}

internal sealed record PlacedOrder(bool Created, string OrderId, string Status);

internal sealed record BaselineAllocation(string LineId, string Sku, string? LocationId, int Quantity);

internal sealed record BaselineOrderDocument(CanonicalOrder Order, OrderStatus Status, IReadOnlyList<BaselineAllocation> Allocations);

internal sealed record AvailabilityResponse(string Sku, int Total, IReadOnlyList<LocationAvailability> Locations);

internal sealed record LocationAvailability(string LocationId, int OnHand, int Reserved, int SafetyStock, int Available);
