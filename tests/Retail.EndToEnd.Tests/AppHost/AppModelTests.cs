using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

/// <summary>The application model the AppHost builds in each mode, inspected without running it.</summary>
public sealed class AppModelTests
{
    [Fact]
    public async Task Containers_Model_HasPostgresAndRabbitMqContainersReferencedByTheServicesThatUseThem()
    {
        await using var builder = await RetailAppHost.CreateBuilderAsync(RetailAppHost.NewSettings("Containers"));
        var resources = builder.Resources.ToDictionary(resource => resource.Name, StringComparer.Ordinal);

        var postgres = Assert.IsType<PostgresServerResource>(resources["postgres"]);
        Assert.Contains("postgres", Image(postgres), StringComparison.Ordinal);
        var database = Assert.IsType<PostgresDatabaseResource>(resources["retail-db"]);
        Assert.Same(postgres, database.Parent);
        var messaging = Assert.IsType<RabbitMQServerResource>(resources["messaging"]);
        Assert.Contains("rabbitmq", Image(messaging), StringComparison.Ordinal);
        Assert.Equal(2, resources["silo"].Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        foreach (var service in new[] { "silo", "api", "functions" })
        {
            Assert.Contains("retail-db", References(resources[service]));
        }
        // The silo's relay publishes and the bridge consumes; the API only talks to the cluster and the database.
        Assert.Contains("messaging", References(resources["silo"]));
        Assert.Contains("messaging", References(resources["functions"]));
        Assert.DoesNotContain("messaging", References(resources["api"]));
        Assert.Contains("silo", Waits(resources["api"]));
        Assert.Contains(resources["simulator"].Annotations, annotation => annotation is ExplicitStartupAnnotation);
        Assert.DoesNotContain("epmd", resources.Keys);
    }

    [Fact]
    public async Task Embedded_Model_IsTheApiAloneWithTheSiloInside()
    {
        await using var builder = await RetailAppHost.CreateBuilderAsync(RetailAppHost.NewSettings("Embedded"));

        var api = Assert.Single(builder.Resources.OfType<ProjectResource>(), resource => resource.Name == "api");
        Assert.Equal("true", (await EnvironmentAsync(api))["Retail__Embedded"]);
        Assert.DoesNotContain(builder.Resources, resource => resource is ContainerResource || resource.Name is "postgres" or "messaging" or "silo" or "functions");
    }

    private static async Task<Dictionary<string, object>> EnvironmentAsync(ProjectResource resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }

    private static string Image(IResource resource) => resource.Annotations.OfType<ContainerImageAnnotation>().Single().Image;

    private static List<string> References(IResource resource) =>
        [.. resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(relation => relation.Type == "Reference").Select(relation => relation.Resource.Name)];

    private static List<string> Waits(IResource resource) =>
        [.. resource.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name)];
}
