namespace Retail.Contracts.Exceptions;

/// <summary>
/// The one way in for raising or resolving an exception record, whoever does it: a grain's outbox, the bridge, an
/// operator. Raising is idempotent per kind and business key while a record is open (a repeat counts an attempt);
/// resolving a kind and key with no open record does nothing. Each business key has its own grain
/// (<see cref="IExceptionGrain"/>), so no raise waits for another key's.
/// </summary>
public static class ExceptionRecords
{
    public static Task<ExceptionRecord> RaiseExceptionAsync(this IGrainFactory grains, ExceptionToRaise exception)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(exception);
        return grains.GetGrain<IExceptionGrain>(ExceptionKey.For(exception.BusinessKey ?? "")).RaiseAsync(exception);
    }

    public static Task ResolveExceptionAsync(this IGrainFactory grains, string kind, string businessKey, string resolution)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(businessKey);
        return grains.GetGrain<IExceptionGrain>(ExceptionKey.For(businessKey)).ResolveOpenAsync(kind, resolution);
    }
}
