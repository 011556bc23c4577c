using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Npgsql;
using Retail.Benchmarks.Hosting;
using Retail.Benchmarks.Load;
using Retail.Benchmarks.Workload;

namespace Retail.Benchmarks.Targets;

/// <summary>
/// Retail as deployed locally: the built Retail.Silo (Orleans on PostgreSQL) and Retail.Api (an Orleans client)
/// as two child processes on one database, driven over HTTP with a bearer token this tool mints.
/// Correctness and durable writes are read by SQL over the grain state (jsonb in retail_grain_state, a stock position's
/// reservations in retail_grain_row).
/// </summary>
/// <remarks>
/// With <paramref name="embedded"/>, one process: the API hosts the silo (<c>Retail:Embedded</c>, the single-process
/// deployment). <paramref name="settings"/> are environment variables given to Retail's processes on top of the
/// benchmark's own (a runtime or Orleans setting under measurement).
/// </remarks>
internal sealed class RetailTarget(string connectionString, string logDirectory, bool embedded, IReadOnlyDictionary<string, string> settings) : ITarget
{
    private const string ServiceId = "retail";
    private const string PostgresProviderType = Retail.Postgres.Hosting.RetailPostgresProviders.ProviderType;
    private const string Issuer = "retail-benchmarks";
    private const string Audience = "retail-api";
    private const string Scopes = "orders.write orders.read inventory.read inventory.write ops";
    private const int SetupAttempts = 5;

    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(connectionString);

    private readonly List<ChildProcess> processes = [];
    private HttpClient? client;

    public string Name => "retail";

    public HttpClient Client => client ?? throw new InvalidOperationException("Retail is not started.");

    public IReadOnlyList<string> Notes =>
        [.. (embedded ? ["one process: the API hosts the silo (Retail:Embedded)"] : Array.Empty<string>()),
         .. settings.Select(setting => $"setting {setting.Key}={setting.Value}")];

    public IReadOnlyDictionary<string, int> Processes => processes.ToDictionary(p => p.Name, p => p.ProcessId, StringComparer.Ordinal);

    /// <summary>Starts the silo, then the API, both on PostgreSQL (grain state, reminders and membership).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var apiUrl = LoopbackUrl(FreePort.Next());
        var common = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Orleans__Clustering__ProviderType"] = PostgresProviderType,
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans__ServiceId"] = ServiceId,
            ["Orleans__Endpoints__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings__retail-db"] = connectionString,
            ["Messaging__Transport"] = "InMemory",
            ["Orders__Directory"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (name, value) in settings)
        {
            common[name] = value;
        }

        var siloSettings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Orleans__Endpoints__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__Reminders__ProviderType"] = PostgresProviderType,
        };
        foreach (var storage in new[] { "orders", "inventory", "operations" })
        {
            siloSettings[$"Orleans__GrainStorage__{storage}__ProviderType"] = PostgresProviderType;
        }

        if (!embedded)
        {
            var siloUrl = LoopbackUrl(FreePort.Next());
            var silo = new Dictionary<string, string>(common, StringComparer.Ordinal) { ["ASPNETCORE_URLS"] = siloUrl };
            foreach (var (name, value) in siloSettings)
            {
                silo[name] = value;
            }

            processes.Add(ChildProcess.Start("retail-silo", SolutionLayout.AssemblyOf("Retail.Silo"), [], silo, logDirectory));
            using var probe = BenchmarkHttp.CreateClient(new Uri(siloUrl));
            await processes[0].WaitUntilHealthyAsync(probe, new Uri(probe.BaseAddress!, "/health"), TimeSpan.FromSeconds(120), cancellationToken);
        }

        var api = new Dictionary<string, string>(common, StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = apiUrl,
            ["Authentication__Schemes__Bearer__ValidIssuer"] = Issuer,
            ["Authentication__Schemes__Bearer__ValidAudiences__0"] = Audience,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Issuer"] = Issuer,
            ["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Convert.ToBase64String(key),
            // The API's per-client rate limit (docs/api.md) is raised so that the benchmark measures the system, not the limiter.
            ["RateLimiting__PermitsPerMinute"] = "600000000",
            ["RateLimiting__Burst"] = "10000000",
        };
        if (embedded)
        {
            api["Retail__Embedded"] = "true";
            foreach (var (name, value) in siloSettings)
            {
                api[name] = value;
            }
        }

        processes.Add(ChildProcess.Start(embedded ? "retail-api+silo" : "retail-api", SolutionLayout.AssemblyOf("Retail.Api"), [], api, logDirectory));

        client?.Dispose();
        client = BenchmarkHttp.CreateClient(new Uri(apiUrl));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JwtMinter.Mint(key, Issuer, Audience, "retail-benchmarks", Scopes, TimeSpan.FromHours(12)));
        await processes[^1].WaitUntilHealthyAsync(client, new Uri(client.BaseAddress!, "/health"), TimeSpan.FromSeconds(120), cancellationToken);
        if (processes[0].HasExited)
        {
            throw new InvalidOperationException($"{processes[0].Name} exited; see {processes[0].LogPath}:\n{processes[0].Tail()}");
        }
    }

    private async Task StopProcessesAsync()
    {
        for (var i = processes.Count - 1; i >= 0; i--)
        {
            await processes[i].DisposeAsync();
        }

        processes.Clear();
    }

    public async Task SetLocationsAsync(IReadOnlyList<LocationSpec> locations, CancellationToken cancellationToken)
    {
        foreach (var location in locations)
        {
            await PutAsync($"/api/v1/locations/{location.LocationId}",
                new { name = location.Name, type = location.Type, priority = location.Priority, region = location.Region }, cancellationToken);
        }
    }

    public async Task SetStockAsync(IReadOnlyList<StockSpec> stock, Action<int>? progress, CancellationToken cancellationToken)
    {
        var done = 0;
        await Parallel.ForEachAsync(stock, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (position, token) =>
        {
            await PutAsync($"/api/v1/inventory/{Uri.EscapeDataString(position.Sku)}/{Uri.EscapeDataString(position.LocationId)}",
                new { onHand = position.OnHand, safetyStock = position.SafetyStock }, token);
            progress?.Invoke(Interlocked.Increment(ref done));
        });
    }

    public async Task<StoreSnapshot> ReadSnapshotAsync(string runKey, IReadOnlyCollection<AcknowledgedOrder> acknowledged, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long reserved;
        int positions;
        var oversold = new List<string>();
        await using (var stock = new NpgsqlCommand("""
            WITH positions AS (
                SELECT g.state->>'sku' AS sku, g.state->>'locationId' AS location_id,
                       coalesce((g.state->>'onHand')::int, 0) AS on_hand, coalesce((g.state->>'safetyStock')::int, 0) AS safety_stock,
                       -- One row per reservation in retail_grain_row, its value an array with the quantity third; a state
                       -- stored before the rows still holds its reservations in its JSON until its next write: one array
                       -- each (CompactReservationsConverter), or the object form before it.
                       (SELECT coalesce(sum((r.value->>2)::int), 0) FROM retail_grain_row r
                        WHERE r.service_id = g.service_id AND r.state_name = g.state_name AND r.grain_id = g.grain_id)
                       + CASE jsonb_typeof(g.state->'reservations')
                           WHEN 'array' THEN (SELECT coalesce(sum((r->>2)::int), 0) FROM jsonb_array_elements(g.state->'reservations') r)
                           WHEN 'object' THEN (SELECT coalesce(sum((r.value->>'quantity')::int), 0) FROM jsonb_each(g.state->'reservations') r)
                           ELSE 0 END AS reserved
                FROM retail_grain_state g
                WHERE g.service_id = $1 AND g.state_name = 'inventory' AND g.state IS NOT NULL)
            SELECT coalesce(sum(reserved), 0)::bigint, count(*)::int,
                   array(SELECT sku || '@' || location_id FROM positions WHERE reserved > on_hand - safety_stock LIMIT 100)
            FROM positions
            """, connection))
        {
            stock.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ServiceId });
            await using var reader = await stock.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (reserved, positions) = (reader.GetInt64(0), reader.GetInt32(1));
            oversold.AddRange(reader.GetFieldValue<string[]>(2));
        }

        var ids = acknowledged.Select(a => a.OrderId).ToArray();
        var statuses = acknowledged.Select(a => a.Status).ToArray();
        await using var orders = new NpgsqlCommand("""
            WITH run_orders AS (
                SELECT g.state->>'orderId' AS order_id,
                       (SELECT coalesce(sum((l.value->>'ordered')::int), 0) FROM jsonb_array_elements(g.state->'lines') l) AS ordered,
                       (SELECT coalesce(sum(coalesce((a.value->>'quantity')::int, 0) - coalesce((a.value->>'shipped')::int, 0) - coalesce((a.value->>'released')::int, 0)), 0)
                          FROM jsonb_array_elements(g.state->'lines') l, jsonb_array_elements(coalesce(l.value->'allocations', '[]')) a) AS reserved
                FROM retail_grain_state g
                WHERE g.service_id = $1 AND g.state_name = 'order' AND g.state IS NOT NULL AND g.state->>'orderId' LIKE $4 || '-%')
            SELECT
              (SELECT count(*)::int FROM unnest($2::text[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM run_orders o WHERE o.order_id = a.id)),
              (SELECT count(*)::int FROM run_orders),
              (SELECT coalesce(sum(reserved), 0)::bigint FROM run_orders),
              (SELECT count(*)::int FROM unnest($2::text[], $3::text[]) AS a(id, status) JOIN run_orders o ON o.order_id = a.id
                 WHERE a.status IN ('Reserved', 'Released') AND o.reserved <> o.ordered),
              pg_current_wal_lsn() - '0/0'::pg_lsn,
              (SELECT coalesce(array_agg(state_name ORDER BY state_name), '{}') FROM (SELECT DISTINCT state_name FROM retail_grain_state WHERE service_id = $1) s),
              (SELECT coalesce(array_agg(writes ORDER BY state_name), '{}') FROM (SELECT state_name, sum(version)::bigint AS writes FROM retail_grain_state WHERE service_id = $1 GROUP BY state_name) s),
              (SELECT count(*)::bigint FROM retail_reminders WHERE service_id = $1)
            """, connection);
        orders.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ServiceId });
        orders.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        orders.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = statuses });
        orders.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runKey });
        await using var result = await orders.ExecuteReaderAsync(cancellationToken);
        await result.ReadAsync(cancellationToken);
        var writes = new Dictionary<string, long>(StringComparer.Ordinal) { [WriteKinds.WalBytes] = (long)result.GetDecimal(4) };
        var names = result.GetFieldValue<string[]>(5);
        var counts = result.GetFieldValue<long[]>(6);
        for (var i = 0; i < names.Length; i++)
        {
            writes[WriteKinds.GrainStatePrefix + names[i]] = counts[i];
        }

        writes[WriteKinds.Reminders] = result.GetInt64(7);
        return new StoreSnapshot
        {
            ReservedUnitsInStock = reserved,
            PositionsChecked = positions,
            OversoldPositions = oversold,
            MissingOrders = result.GetInt32(0),
            RunOrdersStored = result.GetInt32(1),
            RunUnitsReservedOnOrders = result.GetInt64(2),
            AcknowledgedNotFullyReserved = result.GetInt32(3),
            Writes = writes,
        };
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        await StopProcessesAsync();
        await dataSource.DisposeAsync();
    }

    private async Task PutAsync(string path, object body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await Client.PutAsJsonAsync(path, body, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                var detail = await response.Content.ReadAsStringAsync(cancellationToken);
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests || attempt == SetupAttempts)
                {
                    throw new InvalidOperationException($"PUT {path} answered {(int)response.StatusCode}: {detail}");
                }
            }
            catch (HttpRequestException) when (attempt < SetupAttempts)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
        }
    }

    private static string LoopbackUrl(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
}
