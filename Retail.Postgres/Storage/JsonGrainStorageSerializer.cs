using System.Text.Json;
using Orleans.Storage;
using Retail.Contracts;

namespace Retail.Postgres.Storage;

/// <summary>
/// Grain state as System.Text.Json with Retail's conventions (<see cref="RetailJson.Options"/>: camelCase,
/// enums as strings). The PostgreSQL grain storage keeps this JSON in a jsonb column, which is what makes the
/// state queryable in SQL. A replacement serializer must also produce JSON.
/// </summary>
public sealed class JsonGrainStorageSerializer(JsonSerializerOptions? options = null) : IGrainStorageSerializer
{
    private readonly JsonSerializerOptions options = options ?? RetailJson.Options;

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, options));

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, options)
            ?? throw new JsonException($"The stored state is JSON null, not a {typeof(T).Name}.");
    }
}
