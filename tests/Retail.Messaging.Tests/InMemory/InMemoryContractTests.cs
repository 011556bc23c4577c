using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.Messaging.Tests.Contract;

namespace Retail.Messaging.Tests.InMemory;

/// <summary>The contract against the in-memory transport, wired as the embedded mode wires it.</summary>
public sealed class InMemoryContractTests : MessagingContract
{
    protected override IServiceProvider Services { get; } = new ServiceCollection()
        .AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory" }).Build())
        .BuildServiceProvider();
}
