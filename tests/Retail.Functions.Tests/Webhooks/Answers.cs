using System.Net;
using System.Text.Json;

namespace Retail.Functions.Tests.Webhooks;

public static class Answers
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts a problem+json answer with the status and stable code, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("correlationId").GetString()));
        return problem;
    }

    /// <summary>Asserts a 200 answer with the given status word, and returns it.</summary>
    public static async Task<JsonElement> OkAsync(HttpResponseMessage response, string status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {response.StatusCode}: {body}");
        var answer = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, answer.GetProperty("status").GetString());
        return answer;
    }
}
