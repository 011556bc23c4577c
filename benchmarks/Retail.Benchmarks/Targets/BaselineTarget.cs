using System.Globalization;
using Npgsql;
using Retail.Benchmarks.Baseline;
using Retail.Benchmarks.Hosting;
using Retail.Benchmarks.Load;
using Retail.Benchmarks.Workload;

namespace Retail.Benchmarks.Targets;

/// <summary>The conventional design (<see cref="BaselineServer"/>) in a child process of this tool, on its own database.</summary>
internal sealed class BaselineTarget(string connectionString, int poolSize, string logDirectory) : ITarget
{
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);
    private ChildProcess? server;
    private HttpClient? client;

    public string Name => "baseline";

    public IReadOnlyList<string> Notes => [];

    public IReadOnlyDictionary<string, int> Processes =>
        server is null ? new Dictionary<string, int>() : new Dictionary<string, int>(StringComparer.Ordinal) { ["baseline-server"] = server.ProcessId };

    public HttpClient Client => client ?? throw new InvalidOperationException("The baseline is not started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await BaselineSchema.CreateAsync(dataSource, cancellationToken);
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var self = Path.Combine(AppContext.BaseDirectory, "Retail.Benchmarks.dll");
        server = ChildProcess.Start("baseline", self, ["baseline-server", "--url", url, "--pool-size", poolSize.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [BaselineServer.ConnectionStringVariable] = connectionString,
                ["DOTNET_ENVIRONMENT"] = "Production",
            },
            logDirectory);
        client = BenchmarkHttp.CreateClient(new Uri(url));
        await server.WaitUntilHealthyAsync(client, new Uri(client.BaseAddress!, "/health"), TimeSpan.FromSeconds(60), cancellationToken);
    }

    public Task SetLocationsAsync(IReadOnlyList<LocationSpec> locations, CancellationToken cancellationToken) =>
        BaselineSchema.UpsertLocationsAsync(dataSource, locations, cancellationToken);

    public async Task SetStockAsync(IReadOnlyList<StockSpec> stock, Action<int>? progress, CancellationToken cancellationToken)
    {
        await BaselineSchema.SetStockAsync(dataSource, stock, cancellationToken);
        progress?.Invoke(stock.Count);
    }

    public async Task<StoreSnapshot> ReadSnapshotAsync(string runKey, IReadOnlyCollection<AcknowledgedOrder> acknowledged, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long reserved;
        int positions;
        var oversold = new List<string>();
        await using (var stock = new NpgsqlCommand("SELECT coalesce(sum(reserved), 0)::bigint, count(*)::int FROM stock", connection))
        await using (var reader = await stock.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (reserved, positions) = (reader.GetInt64(0), reader.GetInt32(1));
        }

        await using (var over = new NpgsqlCommand("SELECT sku || '@' || location_id FROM stock WHERE reserved > on_hand - safety_stock OR reserved < 0 LIMIT 100", connection))
        await using (var reader = await over.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                oversold.Add(reader.GetString(0));
            }
        }

        var ids = acknowledged.Select(a => a.OrderId).ToArray();
        var statuses = acknowledged.Select(a => a.Status).ToArray();
        await using var orders = new NpgsqlCommand("""
            SELECT
              (SELECT count(*)::int FROM unnest($1::text[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = a.id)),
              (SELECT count(*)::int FROM orders WHERE order_id LIKE $3 || '-%'),
              (SELECT coalesce(sum(reserved_units), 0)::bigint FROM orders WHERE order_id LIKE $3 || '-%'),
              (SELECT count(*)::int FROM unnest($1::text[], $2::text[]) AS a(id, status) JOIN orders o ON o.order_id = a.id
                 WHERE a.status IN ('Reserved', 'Released') AND o.reserved_units <> o.ordered_units),
              pg_current_wal_lsn() - '0/0'::pg_lsn
            """, connection);
        orders.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        orders.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = statuses });
        orders.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runKey });
        await using var result = await orders.ExecuteReaderAsync(cancellationToken);
        await result.ReadAsync(cancellationToken);
        return new StoreSnapshot
        {
            ReservedUnitsInStock = reserved,
            PositionsChecked = positions,
            OversoldPositions = oversold,
            MissingOrders = result.GetInt32(0),
            RunOrdersStored = result.GetInt32(1),
            RunUnitsReservedOnOrders = result.GetInt64(2),
            AcknowledgedNotFullyReserved = result.GetInt32(3),
            Writes = new Dictionary<string, long>(StringComparer.Ordinal) { [WriteKinds.WalBytes] = (long)result.GetDecimal(4) },
        };
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        await dataSource.DisposeAsync();
    }
}

internal static class WriteKinds
{
    /// <summary>WAL bytes the server wrote (exact: pg_current_wal_lsn; targets run one after the other, so it is theirs).</summary>
    public const string WalBytes = "wal-bytes";

    /// <summary>Prefix of Retail's grain-state writes, by state name (exact: every write bumps the row's version).</summary>
    public const string GrainStatePrefix = "grain-state:";

    public const string Reminders = "reminders";

    /// <summary>Rows inserted, updated or deleted in any table, counted from the WAL's heap records (exact, server-wide).</summary>
    public const string RowWrites = "row-writes";

    /// <summary>Transaction commits, counted from the WAL's commit records (exact, server-wide).</summary>
    public const string Commits = "commits";
}
