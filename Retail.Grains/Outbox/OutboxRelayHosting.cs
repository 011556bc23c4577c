using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

public static class OutboxRelayHosting
{
    /// <summary>
    /// The outbox relay of a silo (section <c>Relay</c>): the per-destination delivery gates, the scanner, and the
    /// in-memory pending index unless the grain storage brings its own (PostgreSQL does).
    /// </summary>
    public static ISiloBuilder AddRetailOutboxRelay(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<OutboxRelayOptions>().Bind(configuration.GetSection(OutboxRelayOptions.Section)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboxRelayOptions>, OutboxRelayOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OutboxRelay>();
        builder.Services.TryAddSingleton<IPendingOutboxIndex, InMemoryPendingOutboxIndex>();
        builder.Services.TryAddSingleton<OutboxServices>();
        if (!builder.Services.Any(service => service.ServiceType == typeof(OutboxRelayScanner)))
        {
            builder.Services.AddSingleton<OutboxRelayScanner>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OutboxRelayScanner>());
        }
        return builder;
    }

    private sealed class OutboxRelayOptionsValidator : IValidateOptions<OutboxRelayOptions>
    {
        public ValidateOptionsResult Validate(string? name, OutboxRelayOptions options)
        {
            var failures = options.Validate().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
