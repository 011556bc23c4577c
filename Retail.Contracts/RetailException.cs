namespace Retail.Contracts;

/// <summary>A domain rule refused an operation. <see cref="Code"/> is one of <see cref="ProblemCodes"/>.</summary>
[GenerateSerializer, Alias("Retail.RetailException")]
public class RetailException : Exception
{
    public RetailException(string code, string message) : base(message) => Code = code;

    /// <summary>The stable problem code that the API answers with.</summary>
    [Id(0)]
    public string Code { get; }
}

/// <summary>Input failed validation; <see cref="Errors"/> maps each field path to its messages.</summary>
[GenerateSerializer, Alias("Retail.ValidationException")]
public sealed class RetailValidationException : RetailException
{
    public RetailValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(ProblemCodes.ValidationFailed, "One or more fields are invalid.") => Errors = errors;

    [Id(0)]
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
