using Xunit.Abstractions;
using Xunit.Sdk;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>Runs a class's tests in the order they are written, for a class whose last test ends the app it shares.</summary>
public sealed class DeclarationOrderer : ITestCaseOrderer
{
    public const string TypeName = "Retail.EndToEnd.Tests.Support.DeclarationOrderer";
    public const string AssemblyName = "Retail.EndToEnd.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(testCase => testCase.TestMethod.Method is IReflectionMethodInfo reflection ? reflection.MethodInfo.MetadataToken : int.MaxValue);
}
