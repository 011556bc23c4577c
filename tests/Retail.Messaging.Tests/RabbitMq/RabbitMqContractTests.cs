using Retail.Messaging.Tests.Contract;

namespace Retail.Messaging.Tests.RabbitMq;

/// <summary>The contract against RabbitMQ through RabbitMQ.Client, on a node started by the fixture.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqContractTests(RabbitMqFixture fixture) : MessagingContract, IAsyncLifetime
{
    private IServiceProvider? services;

    protected override IServiceProvider Services => services ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => services = await fixture.StartHostAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
