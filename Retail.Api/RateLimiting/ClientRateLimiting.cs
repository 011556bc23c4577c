using System.Globalization;
using System.Threading.RateLimiting;
using Retail.Api.Problems;
using Retail.Api.Security;
using Retail.Contracts;

namespace Retail.Api.RateLimiting;

/// <summary><c>RateLimiting:*</c>: the budget of requests each client has on /api.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary><c>TokenBucket</c> (default: smooth, allows a burst) or <c>FixedWindow</c> (a minute's budget at once).</summary>
    public string Kind { get; set; } = "TokenBucket";
    public int PermitsPerMinute { get; set; } = 600;
    /// <summary>Token bucket only: the most requests a client can send at once.</summary>
    public int Burst { get; set; } = 100;
}

/// <summary>
/// Rate limiting per client (token subject, else API key header, else remote IP) on the /api paths; a refused request
/// gets 429 problem+json with Retry-After.
/// </summary>
internal static class ClientRateLimiting
{
    public static void AddClientRateLimiting(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitingOptions.Section).Get<RateLimitingOptions>() ?? new RateLimitingOptions();
        if (options.PermitsPerMinute < 1 || options.Burst < 1)
        {
            throw new InvalidOperationException("RateLimiting:PermitsPerMinute and RateLimiting:Burst must be at least 1.");
        }
        var fixedWindow = options.Kind.Equals("FixedWindow", StringComparison.OrdinalIgnoreCase);
        if (!fixedWindow && !options.Kind.Equals("TokenBucket", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"RateLimiting:Kind = '{options.Kind}' is not supported: use TokenBucket or FixedWindow.");
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!context.Request.Path.StartsWithSegments(RetailApi.BasePath))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }
                var client = ClientIdentity.Of(context);
                return fixedWindow
                    ? RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.PermitsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = Math.Max(1, options.PermitsPerMinute / 60),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(options.PermitsPerMinute >= 60 ? 1 : 60.0 / options.PermitsPerMinute),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            limiter.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ProblemWriter.WriteAsync(context.HttpContext, ProblemWriter.Create(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited,
                    "Too many requests.", $"This client's request budget is spent; retry after {seconds} seconds."));
            };
        });
    }
}
