using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Clustering;

/// <summary>
/// Orleans cluster membership in <c>retail_membership</c> and <c>retail_membership_version</c>. Every insert or
/// update of a silo row also moves the table version, in one transaction, and only when the version's etag
/// is the one the caller read (compare-and-swap); a row update also requires the row's etag.
/// </summary>
internal sealed partial class PostgresMembershipTable(
    NpgsqlDataSource dataSource,
    RetailSchema schema,
    IOptions<ClusterOptions> clusterOptions,
    ILogger<PostgresMembershipTable> logger) : IMembershipTable
{
    private const string SelectMembers = """
        SELECT address, port, generation, silo_name, host_name, status, proxy_port, role_name, update_zone,
               fault_zone, suspect_times, start_time, i_am_alive, etag
        FROM retail_membership
        """;

    private readonly string clusterId = clusterOptions.Value.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await schema.EnsureCreatedAsync();
        if (!tryInitTableVersion)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            "INSERT INTO retail_membership_version (cluster_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING");
        command.Parameters.Add(Text(clusterId));
        if (await command.ExecuteNonQueryAsync() > 0)
        {
            LogTableCreated(clusterId);
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM retail_membership_version WHERE cluster_id = $1");
        command.Parameters.Add(Text(clusterId));
        await command.ExecuteNonQueryAsync();
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM retail_membership WHERE cluster_id = $1 AND i_am_alive < $2 AND status <> $3");
        command.Parameters.Add(Text(clusterId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = beforeDate.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)SiloStatus.Active });
        var deleted = await command.ExecuteNonQueryAsync();
        if (deleted > 0)
        {
            LogDefunctRemoved(deleted, clusterId);
        }
    }

    public Task<MembershipTableData> ReadAll() => ReadAsync(silo: null);

    public Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ReadAsync(key);
    }

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await SwapVersionAsync(connection, transaction, tableVersion))
        {
            return false;
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO retail_membership (cluster_id, address, port, generation, silo_name, host_name, status,
                proxy_port, role_name, update_zone, fault_zone, suspect_times, start_time, i_am_alive, etag)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0)
            ON CONFLICT DO NOTHING
            """,
            connection,
            transaction);
        AddEntry(insert, entry);
        if (await insert.ExecuteNonQueryAsync() == 0)
        {
            return false;
        }

        await transaction.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        if (!int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var rowEtag))
        {
            return false;
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await SwapVersionAsync(connection, transaction, tableVersion))
        {
            return false;
        }

        await using var update = new NpgsqlCommand(
            """
            UPDATE retail_membership
            SET silo_name = $5, host_name = $6, status = $7, proxy_port = $8, role_name = $9, update_zone = $10,
                fault_zone = $11, suspect_times = $12, start_time = $13, i_am_alive = $14, etag = etag + 1
            WHERE cluster_id = $1 AND address = $2 AND port = $3 AND generation = $4 AND etag = $15
            """,
            connection,
            transaction);
        AddEntry(update, entry);
        update.Parameters.Add(new NpgsqlParameter<int> { TypedValue = rowEtag });
        if (await update.ExecuteNonQueryAsync() == 0)
        {
            return false;
        }

        await transaction.CommitAsync();
        return true;
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = dataSource.CreateCommand(
            "UPDATE retail_membership SET i_am_alive = $5 WHERE cluster_id = $1 AND address = $2 AND port = $3 AND generation = $4");
        AddSilo(command, entry.SiloAddress);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = UtcDateTime.From(entry.IAmAliveTime) });
        if (await command.ExecuteNonQueryAsync() == 0)
        {
            throw new InvalidOperationException($"Silo {entry.SiloAddress} has no membership row in cluster '{clusterId}'.");
        }
    }

    private async Task<MembershipTableData> ReadAsync(SiloAddress? silo)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

        TableVersion version;
        await using (var versionCommand = new NpgsqlCommand(
            "SELECT version FROM retail_membership_version WHERE cluster_id = $1", connection, transaction))
        {
            versionCommand.Parameters.Add(Text(clusterId));
            var stored = await versionCommand.ExecuteScalarAsync() as int?;
            version = new TableVersion(stored ?? 0, FormatEtag(stored ?? 0));
        }

        await using var command = new NpgsqlCommand(
            silo is null
                ? SelectMembers + " WHERE cluster_id = $1"
                : SelectMembers + " WHERE cluster_id = $1 AND address = $2 AND port = $3 AND generation = $4",
            connection,
            transaction);
        if (silo is null)
        {
            command.Parameters.Add(Text(clusterId));
        }
        else
        {
            AddSilo(command, silo);
        }

        var members = new List<Tuple<MembershipEntry, string>>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                members.Add(Tuple.Create(ReadEntry(reader), FormatEtag(reader.GetInt32(13))));
            }
        }

        await transaction.CommitAsync();
        return new MembershipTableData(members, version);
    }

    private async Task<bool> SwapVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableVersion tableVersion)
    {
        if (!int.TryParse(tableVersion.VersionEtag, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expected))
        {
            return false;
        }

        await using var command = new NpgsqlCommand(
            "UPDATE retail_membership_version SET version = $2, updated_at = now() WHERE cluster_id = $1 AND version = $3",
            connection,
            transaction);
        command.Parameters.Add(Text(clusterId));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = tableVersion.Version });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = expected });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    private void AddSilo(NpgsqlCommand command, SiloAddress silo)
    {
        command.Parameters.Add(Text(clusterId));
        command.Parameters.Add(Text(silo.Endpoint.Address.ToString()));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.Endpoint.Port });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.Generation });
    }

    private void AddEntry(NpgsqlCommand command, MembershipEntry entry)
    {
        AddSilo(command, entry.SiloAddress);
        command.Parameters.Add(Text(entry.SiloName ?? string.Empty));
        command.Parameters.Add(Text(entry.HostName ?? string.Empty));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)entry.Status });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.ProxyPort });
        command.Parameters.Add(Text(entry.RoleName ?? string.Empty));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.UpdateZone });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.FaultZone });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = SerializeSuspects(entry.SuspectTimes) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = UtcDateTime.From(entry.StartTime) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = UtcDateTime.From(entry.IAmAliveTime) });
    }

    private static MembershipEntry ReadEntry(NpgsqlDataReader reader) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Parse(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2)),
        SiloName = reader.GetString(3),
        HostName = reader.GetString(4),
        Status = (SiloStatus)reader.GetInt32(5),
        ProxyPort = reader.GetInt32(6),
        RoleName = reader.GetString(7),
        UpdateZone = reader.GetInt32(8),
        FaultZone = reader.GetInt32(9),
        SuspectTimes = DeserializeSuspects(reader.GetString(10)),
        StartTime = reader.GetFieldValue<DateTime>(11),
        IAmAliveTime = reader.GetFieldValue<DateTime>(12),
    };

    private static string SerializeSuspects(List<Tuple<SiloAddress, DateTime>>? suspects) =>
        JsonSerializer.Serialize(
            (suspects ?? []).Select(s => new SuspectRecord(s.Item1.ToParsableString(), UtcDateTime.From(s.Item2))).ToList(),
            SuspectJson.Default.ListSuspectRecord);

    private static List<Tuple<SiloAddress, DateTime>> DeserializeSuspects(string json) =>
        (JsonSerializer.Deserialize(json, SuspectJson.Default.ListSuspectRecord) ?? [])
            .Select(s => Tuple.Create(SiloAddress.FromParsableString(s.Silo), UtcDateTime.From(s.At)))
            .ToList();


    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static string FormatEtag(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership table version of cluster {ClusterId}")]
    private partial void LogTableCreated(string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} defunct silo entries of cluster {ClusterId}")]
    private partial void LogDefunctRemoved(int count, string clusterId);
}
