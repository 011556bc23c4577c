using Retail.Functions.Hosting;

namespace Retail.Functions.Tests.Hosting;

public sealed class FunctionsHostTests
{
    [Fact]
    public void IsPresent_StartedByTheFunctionsHost_IsTrue()
    {
        string[] args = ["--functions-uri", "http://127.0.0.1:50051/", "--functions-worker-id", "w-1", "--functions-request-id", "r-1"];

        Assert.True(FunctionsHost.IsPresent(args, name => name == FunctionsHost.WorkerRuntimeVariable ? "dotnet-isolated" : null));
        Assert.True(FunctionsHost.IsPresent(args, _ => null));
    }

    [Fact]
    public void IsPresent_LocalRunWithSettingsOnly_IsFalse()
    {
        string[] args = ["--urls", "http://127.0.0.1:5199", "--Orleans:Clustering:ProviderType", "RetailPostgres"];

        Assert.False(FunctionsHost.IsPresent(args, _ => null));
    }
}
