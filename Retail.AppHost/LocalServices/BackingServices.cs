using Aspire.Hosting.Orleans;

namespace Retail.AppHost.LocalServices;

/// <summary>
/// PostgreSQL and RabbitMQ as the services see them: the <c>retail-db</c> and <c>messaging</c> connection strings, the
/// servers to wait for, and the broker's management UI (a link in endpoints.json).
/// </summary>
public sealed record BackingServices(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResource> DatabaseServer,
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    IResourceBuilder<IResource> BrokerServer,
    EndpointReference BrokerManagement)
{
    public const string DatabaseName = "retail-db";
    public const string MessagingName = "messaging";

    /// <summary>The provider type under which Retail.Postgres registers its Orleans providers (BackingServices.OrleansProviderType).</summary>
    public const string OrleansProviderType = "RetailPostgres";

    /// <summary>The grain storage names Retail's grains use (Retail.Grains' StorageNames.All).</summary>
    public static readonly IReadOnlyList<string> GrainStorageNames = ["orders", "inventory", "operations"];
}

public static class BackingServicesExtensions
{
    /// <summary>Aspire's PostgreSQL and RabbitMQ containers on the README's ports.</summary>
    public static BackingServices AddContainerServices(this IDistributedApplicationBuilder builder, RetailPorts ports)
    {
        var postgres = builder.AddPostgres("postgres", port: ports.Postgres);
        var database = postgres.AddDatabase(BackingServices.DatabaseName, "retail");
        var messaging = builder.AddRabbitMQ(BackingServices.MessagingName, port: ports.Broker).WithManagementPlugin(ports.BrokerManagement);
        return new BackingServices(
            database.WithOrleansProviderType(BackingServices.OrleansProviderType), postgres, messaging, messaging,
            messaging.GetEndpoint("management"));
    }

    /// <summary>Every grain storage Retail's grains name, on the database.</summary>
    public static OrleansService WithRetailGrainStorage(this OrleansService orleans, IResourceBuilder<IResourceWithConnectionString> database)
    {
        foreach (var name in BackingServices.GrainStorageNames)
        {
            orleans.WithGrainStorage(name, database);
        }
        return orleans;
    }

    /// <summary>The broker: <c>ConnectionStrings:messaging</c> (AMQP 0-9-1) and the RabbitMQ transport.</summary>
    public static IResourceBuilder<T> WithRetailMessaging<T>(this IResourceBuilder<T> resource, BackingServices services)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        resource
            .WithReference(services.Messaging)
            .WithEnvironment("Messaging__Transport", "RabbitMq");
}

public static class BinaryServicesExtensions
{
    /// <summary>Private PostgreSQL and RabbitMQ from the machine's binaries, on the README's ports.</summary>
    public static BackingServices AddBinaryServices(this IDistributedApplicationBuilder builder, RetailPorts ports)
    {
        var state = StateDirectory.From(builder);
        var (database, postgres) = builder.AddPostgresBinaries(ports, state);
        var (messaging, rabbit, management) = builder.AddRabbitMqBinaries(ports, state);
        return new BackingServices(database, postgres, messaging, rabbit, management);
    }
}
