namespace Retail.Postgres.Schema;

/// <summary>Applies the migrations early in silo start-up, before membership, reminders and grain storage start.</summary>
internal sealed class RetailSchemaLifecycle(RetailSchema schema) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RetailSchemaLifecycle), ServiceLifecycleStage.RuntimeInitialize, schema.EnsureCreatedAsync);
}
