using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Retail.Functions.Hosting;

/// <summary>
/// Under the Functions host: the correlation id of each HTTP invocation (<c>X-Correlation-Id</c>, echoed), current for
/// the function's grain calls and logs, as the ASP.NET Core pipeline's correlation middleware does elsewhere.
/// </summary>
internal sealed class CorrelationMiddleware(ILoggerFactory loggers) : IFunctionsWorkerMiddleware
{
    private readonly ILogger _logger = loggers.CreateLogger("Retail.Correlation");

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }
        using (Correlation.Begin(Correlation.Accept(http), _logger))
        {
            await next(context);
        }
    }
}
