using Retail.Api.Paging;
using Retail.Contracts.Orders;

namespace Retail.Api.Endpoints;

/// <summary>Field rules shared by the command endpoints.</summary>
internal static class Validation
{
    public const int MaxTextLength = 1000;

    public static void Text(QueryValidation validation, string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                validation.Add(field, "Is required.");
            }
        }
        else if (value.Length > MaxTextLength)
        {
            validation.Add(field, $"Must be at most {MaxTextLength} characters.");
        }
    }

    public static void Lines(QueryValidation validation, IReadOnlyList<LineQuantity>? lines, bool required)
    {
        if (lines is null || lines.Count == 0)
        {
            if (required)
            {
                validation.Add("lines", "At least one line is required.");
            }
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < lines.Count; index++)
        {
            var line = lines[index];
            if (line is null)
            {
                validation.Add($"lines[{index}]", "Is required.");
                continue;
            }
            validation.Id($"lines[{index}].lineId", line.LineId);
            if (line.LineId is not null && !seen.Add(line.LineId))
            {
                validation.Add($"lines[{index}].lineId", "Appears more than once.");
            }
            if (line.Quantity <= 0)
            {
                validation.Add($"lines[{index}].quantity", "Must be a positive integer.");
            }
        }
    }
}
