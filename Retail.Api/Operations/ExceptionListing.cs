using Retail.Contracts.Exceptions;

namespace Retail.Api.Operations;

internal static class ExceptionListing
{
    /// <summary>Every record matching <paramref name="query"/>, oldest first, read page by page.</summary>
    public static async Task<List<ExceptionRecord>> ListAllAsync(
        this IExceptionProjection listing, ExceptionQuery query, int pageSize, CancellationToken cancellationToken)
    {
        var records = new List<ExceptionRecord>();
        var page = query with { Limit = pageSize };
        while (true)
        {
            var batch = await listing.ListAsync(page, cancellationToken);
            records.AddRange(batch);
            if (batch.Count < pageSize)
            {
                return records;
            }
            page = page with { After = batch[^1].Id };
        }
    }
}
