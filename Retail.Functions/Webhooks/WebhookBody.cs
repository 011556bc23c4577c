using System.Buffers;

namespace Retail.Functions.Webhooks;

/// <summary>Reads a request body into memory, never more than a limit, whatever Content-Length claims.</summary>
internal static class WebhookBody
{
    /// <summary>1 MiB: the largest webhook body accepted.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? declaredLength, int limit, CancellationToken cancellationToken)
    {
        if (declaredLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream(declaredLength is > 0 ? (int)declaredLength.Value : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
