using Microsoft.AspNetCore.Http.Features;
using Retail.Api.Problems;
using Retail.Contracts;

namespace Retail.Api;

/// <summary>
/// <c>Api:MaxRequestBodyBytes</c> (default 256 KiB) on the /api paths only (webhooks hosted in the same process have their
/// own limit): a declared length over it is refused at once, a chunked body when reading passes it. Both answer 413.
/// </summary>
internal static class RequestSizeLimit
{
    public const long DefaultMaxBytes = 256 * 1024;

    public static IApplicationBuilder UseApiRequestSizeLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(RetailApi.BasePath))
            {
                if (context.Request.ContentLength > maxBytes)
                {
                    await ProblemWriter.WriteAsync(context, ProblemWriter.Create(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge,
                        "The request body is too large.", $"The API accepts bodies of at most {maxBytes} bytes."));
                    return;
                }
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    limit.MaxRequestBodySize = maxBytes;
                }
            }
            await next(context);
        });
}
