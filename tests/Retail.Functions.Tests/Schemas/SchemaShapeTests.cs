namespace Retail.Functions.Tests.Schemas;

public sealed class SchemaShapeTests
{
    private const string Baseline = """
        { "type": "object", "required": ["id"], "properties": {
            "id": { "type": "string" },
            "note": { "type": ["string", "null"] },
            "lines": { "type": "array", "items": { "$ref": "#/definitions/line" } } },
          "definitions": { "line": { "type": "object", "required": ["qty"], "properties": { "qty": { "type": "integer" } } } } }
        """;

    [Fact]
    public void BreakingChanges_WhenAnOptionalFieldIsAdded_FindsNone()
    {
        var current = Baseline.Replace("\"id\": { \"type\": \"string\" },", "\"id\": { \"type\": \"string\" }, \"extra\": { \"type\": \"string\" },", StringComparison.Ordinal);

        Assert.Empty(SchemaShape.Of(Baseline).BreakingChanges(SchemaShape.Of(current)));
    }

    [Fact]
    public void BreakingChanges_WhenAFieldIsRemoved_ReportsIt()
    {
        var current = Baseline.Replace("\"note\": { \"type\": [\"string\", \"null\"] },", "", StringComparison.Ordinal);

        Assert.Contains("field $.note was removed", SchemaShape.Of(Baseline).BreakingChanges(SchemaShape.Of(current)));
    }

    [Fact]
    public void BreakingChanges_WhenANestedTypeChanges_ReportsIt()
    {
        var current = Baseline.Replace("\"qty\": { \"type\": \"integer\" }", "\"qty\": { \"type\": \"string\" }", StringComparison.Ordinal);

        Assert.Contains("field $.lines[].qty changed type from integer to string", SchemaShape.Of(Baseline).BreakingChanges(SchemaShape.Of(current)));
    }

    [Fact]
    public void BreakingChanges_WhenAnExistingFieldBecomesRequired_ReportsIt()
    {
        var current = Baseline.Replace("\"required\": [\"id\"]", "\"required\": [\"id\", \"note\"]", StringComparison.Ordinal);

        Assert.Contains("field $.note became required", SchemaShape.Of(Baseline).BreakingChanges(SchemaShape.Of(current)));
    }
}
