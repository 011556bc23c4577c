using System.Text.Json.Nodes;

namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed class ServiceBusTests(CompiledTemplateFixture fixture)
{
    private const string DataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
    private const string DataReceiver = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";

    private ArmTemplate Module => fixture.Main.Module("service-bus");

    [Fact]
    public void Namespace_ByDefault_DisablesLocalAuth()
    {
        var defaultValue = fixture.Main.Root["parameters"]!["erpUsesSas"]!["defaultValue"]!.GetValue<bool>();

        var disableLocalAuth = EvaluateDisableLocalAuth(erpUsesSas: defaultValue);

        Assert.True(disableLocalAuth);
    }

    [Fact]
    public void Namespace_WhenErpUsesSas_EnablesLocalAuth()
    {
        var disableLocalAuth = EvaluateDisableLocalAuth(erpUsesSas: true);

        Assert.False(disableLocalAuth);
    }

    [Theory]
    [InlineData("erp-inbound")]
    [InlineData("erp-outbound")]
    public void Queue_ErpQueue_HasSessionsDuplicateDetectionAndTenDeliveries(string queueName)
    {
        var queue = Queue(queueName);

        var properties = Module.Resolve(queue["properties"])!;

        Assert.True(properties["requiresSession"]!.GetValue<bool>());
        Assert.True(properties["requiresDuplicateDetection"]!.GetValue<bool>());
        Assert.True(properties["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        Assert.Equal(10, properties["maxDeliveryCount"]!.GetValue<int>());
    }

    [Fact]
    public void SasRules_ByDefault_AreNotCreated()
    {
        var rules = Module.OfType("Microsoft.ServiceBus/namespaces/queues/authorizationRules").ToList();

        Assert.Equal(2, rules.Count);
        Assert.All(rules, rule => Assert.False(ArmExpression.EvaluateBoolean(
            (string)rule["condition"]!, new Dictionary<string, bool> { ["erpUsesSas"] = false })));
    }

    [Fact]
    public void SasRules_WhenErpUsesSas_AllowSendToInboundAndListenOnOutboundOnly()
    {
        var rules = Module.OfType("Microsoft.ServiceBus/namespaces/queues/authorizationRules").ToList();

        var rights = rules.ToDictionary(
            rule => QueueOf((string)rule["name"]!) ?? throw new InvalidOperationException($"{rule["name"]} names no ERP queue."),
            rule => rule["properties"]!["rights"]!.AsArray().Select(right => (string?)right).ToList());

        Assert.Equal(["Send"], rights["erp-inbound"]);
        Assert.Equal(["Listen"], rights["erp-outbound"]);
    }

    [Theory]
    [InlineData("erp-outbound")]
    [InlineData("erp-inbound")]
    public void Silo_ErpQueue_MaySend(string queueName)
    {
        var roles = RolesOn(queueName, "siloIdentityName");

        Assert.Contains(DataSender, roles);
        Assert.DoesNotContain(DataReceiver, roles);
    }

    [Fact]
    public void Bridge_ErpInbound_MayReceive()
    {
        var roles = RolesOn("erp-inbound", "functionsIdentityName");

        Assert.Contains(DataReceiver, roles);
    }

    [Fact]
    public void Bridge_ErpOutbound_HasNoRole()
    {
        var roles = RolesOn("erp-outbound", "functionsIdentityName");

        Assert.Empty(roles);
    }

    private bool EvaluateDisableLocalAuth(bool erpUsesSas)
    {
        var argument = (string)fixture.Main.ModuleArgument("service-bus", "erpUsesSas")!;
        var moduleValue = ArmExpression.EvaluateBoolean(argument, new Dictionary<string, bool> { ["erpUsesSas"] = erpUsesSas });
        var ns = Assert.Single(Module.OfType("Microsoft.ServiceBus/namespaces"));
        var expression = (string)ns["properties"]!["disableLocalAuth"]!;
        return ArmExpression.EvaluateBoolean(expression, new Dictionary<string, bool> { ["erpUsesSas"] = moduleValue });
    }

    private JsonObject Queue(string queueName) =>
        Module.OfType("Microsoft.ServiceBus/namespaces/queues").Single(queue => QueueOf((string)queue["name"]!) == queueName);

    private List<string> RolesOn(string queueName, string identityParameter) =>
        Module.OfType("Microsoft.Authorization/roleAssignments")
            .Where(assignment => QueueOf((string)assignment["scope"]!) == queueName
                && Module.PrincipalIdentityParameter(assignment) == identityParameter)
            .Select(Module.RoleDefinitionGuid)
            .ToList();

    // Names and scopes refer to a queue through the variable that holds its name.
    private string? QueueOf(string expression)
    {
        var variables = Module.Root["variables"]!.AsObject();
        var names = variables
            .Where(pair => pair.Value is JsonValue value && value.TryGetValue<string>(out var text) && text.StartsWith("erp-", StringComparison.Ordinal)
                && expression.Contains($"variables('{pair.Key}')", StringComparison.Ordinal))
            .Select(pair => (string?)pair.Value)
            .ToList();
        return names.Count == 1 ? names[0] : null;
    }
}
