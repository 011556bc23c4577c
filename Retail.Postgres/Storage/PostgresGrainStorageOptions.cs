using Orleans.Storage;

namespace Retail.Postgres.Storage;

/// <summary>Options of one named PostgreSQL grain storage provider.</summary>
public sealed class PostgresGrainStorageOptions
{
    /// <summary>How grain state becomes JSON; <see cref="JsonGrainStorageSerializer"/> with Retail's conventions by default.</summary>
    public IGrainStorageSerializer Serializer { get; set; } = new JsonGrainStorageSerializer();
}
