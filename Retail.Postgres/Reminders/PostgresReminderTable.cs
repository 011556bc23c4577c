using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Reminders;

/// <summary>
/// Orleans reminders in <c>retail_reminders</c>, keyed by service, grain and reminder name. The grain's uniform
/// hash is stored so that each silo reads only its share of the ring. Etags come from one sequence.
/// </summary>
internal sealed class PostgresReminderTable(
    NpgsqlDataSource dataSource,
    RetailSchema schema,
    IOptions<ClusterOptions> clusterOptions) : IReminderTable
{
    private const string SelectReminders =
        "SELECT grain_id, reminder_name, start_at, period, etag FROM retail_reminders WHERE service_id = $1";

    private readonly string serviceId = clusterOptions.Value.ServiceId;

    public Task StartAsync(CancellationToken cancellationToken = default) => schema.EnsureCreatedAsync(cancellationToken);

    public Task Init() => schema.EnsureCreatedAsync();

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var command = dataSource.CreateCommand(SelectReminders + " AND grain_id = $2 ORDER BY reminder_name");
        command.Parameters.Add(Text(serviceId));
        command.Parameters.Add(Text(grainId.ToString()));
        return new ReminderTableData(await ReadAllAsync(command));
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // The ring range is (begin, end]; when begin >= end it wraps past the top of the hash space.
        await using var command = dataSource.CreateCommand(SelectReminders + (begin < end
            ? " AND grain_hash > $2 AND grain_hash <= $3"
            : " AND (grain_hash > $2 OR grain_hash <= $3)"));
        command.Parameters.Add(Text(serviceId));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = begin });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = end });
        return new ReminderTableData(await ReadAllAsync(command));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var command = dataSource.CreateCommand(SelectReminders + " AND grain_id = $2 AND reminder_name = $3");
        command.Parameters.Add(Text(serviceId));
        command.Parameters.Add(Text(grainId.ToString()));
        command.Parameters.Add(Text(reminderName));
        return (await ReadAllAsync(command)).SingleOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO retail_reminders (service_id, grain_id, reminder_name, grain_hash, start_at, period, etag)
            VALUES ($1, $2, $3, $4, $5, $6, nextval('retail_reminder_etag'))
            ON CONFLICT (service_id, grain_id, reminder_name)
            DO UPDATE SET start_at = excluded.start_at, period = excluded.period, etag = excluded.etag
            RETURNING etag
            """);
        command.Parameters.Add(Text(serviceId));
        command.Parameters.Add(Text(entry.GrainId.ToString()));
        command.Parameters.Add(Text(entry.ReminderName));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.GrainId.GetUniformHashCode() });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = UtcDateTime.From(entry.StartAt) });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = entry.Period });
        var etag = FormatEtag((long)(await command.ExecuteScalarAsync())!);
        return etag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
        {
            return false;
        }

        await using var command = dataSource.CreateCommand(
            "DELETE FROM retail_reminders WHERE service_id = $1 AND grain_id = $2 AND reminder_name = $3 AND etag = $4");
        command.Parameters.Add(Text(serviceId));
        command.Parameters.Add(Text(grainId.ToString()));
        command.Parameters.Add(Text(reminderName));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = etag });
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task TestOnlyClearTable()
    {
        await using var command = dataSource.CreateCommand("DELETE FROM retail_reminders WHERE service_id = $1");
        command.Parameters.Add(Text(serviceId));
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<ReminderEntry>> ReadAllAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                ReminderName = reader.GetString(1),
                StartAt = reader.GetFieldValue<DateTime>(2),
                Period = reader.GetFieldValue<TimeSpan>(3),
                ETag = FormatEtag(reader.GetInt64(4)),
            });
        }

        return entries;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };


    private static string FormatEtag(long value) => value.ToString(CultureInfo.InvariantCulture);
}
