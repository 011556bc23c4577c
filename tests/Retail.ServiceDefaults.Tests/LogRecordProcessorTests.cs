using Microsoft.Extensions.Hosting;

namespace Retail.ServiceDefaults.Tests;

public sealed class LogRecordProcessorTests
{
    [Fact]
    public void Redact_TextWithEmails_ReplacesEachAndKeepsTheRest()
    {
        var text = LogRecordProcessor.Redact("Customer ada.lovelace@example.com (copy to ops+orders@retail.co.uk) placed order 42");

        Assert.Equal($"Customer {LogRecordProcessor.Redacted} (copy to {LogRecordProcessor.Redacted}) placed order 42", text);
    }

    [Fact]
    public void Redact_TextWithoutEmail_Unchanged()
    {
        var text = LogRecordProcessor.Redact("Order o-1 at DC-1@2026 shipped");

        Assert.Equal("Order o-1 at DC-1@2026 shipped", text);
    }
}
