namespace Retail.Infra.Tests;

/// <summary>
/// Evaluates the boolean subset of ARM template expressions that the tests meet: <c>parameters('x')</c>,
/// <c>not(...)</c>, <c>true()</c> and <c>false()</c>. Anything else is rejected rather than guessed.
/// </summary>
public static class ArmExpression
{
    public static bool EvaluateBoolean(string expression, IReadOnlyDictionary<string, bool> parameters)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var text = expression.StartsWith('[') && expression.EndsWith(']') ? expression[1..^1] : expression;
        return Evaluate(text.Trim(), parameters);
    }

    private static bool Evaluate(string text, IReadOnlyDictionary<string, bool> parameters)
    {
        if (text.StartsWith("not(", StringComparison.Ordinal) && text.EndsWith(')'))
        {
            return !Evaluate(text[4..^1].Trim(), parameters);
        }

        if (text.StartsWith("parameters('", StringComparison.Ordinal) && text.EndsWith("')", StringComparison.Ordinal))
        {
            var name = text["parameters('".Length..^2];
            return parameters.TryGetValue(name, out var value)
                ? value
                : throw new KeyNotFoundException($"No value for parameter '{name}'.");
        }

        return text switch
        {
            "true()" => true,
            "false()" => false,
            _ => throw new NotSupportedException($"Expression '{text}' is outside the evaluated subset."),
        };
    }
}
