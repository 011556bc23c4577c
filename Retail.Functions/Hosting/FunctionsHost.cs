namespace Retail.Functions.Hosting;

/// <summary>Whether this process was started by the Azure Functions host as its .NET isolated worker.</summary>
internal static class FunctionsHost
{
    /// <summary>The app setting the host requires, and which it passes on to the worker's environment.</summary>
    public const string WorkerRuntimeVariable = "FUNCTIONS_WORKER_RUNTIME";

    /// <summary>
    /// True when the host started this process: it sets <c>FUNCTIONS_WORKER_RUNTIME</c> and passes the gRPC
    /// endpoint and worker id as <c>--functions-uri</c>, <c>--functions-worker-id</c>, ... arguments.
    /// </summary>
    public static bool IsPresent(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrEmpty(environment(WorkerRuntimeVariable))
            || args.Any(arg => arg.StartsWith("--functions-", StringComparison.Ordinal));
    }
}
