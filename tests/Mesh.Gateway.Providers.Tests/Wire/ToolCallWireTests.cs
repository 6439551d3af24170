using System.Text.Json.Nodes;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Wire;

/// <summary>What each schema's codec shows the guardrails of tools: the names a request declares, which request texts are tool
/// results, and the model's calls in a whole response (rewritten in place, or removed with the schema's content-filter signal).</summary>
public sealed class ToolCallWireTests
{
    public static TheoryData<string, string, string[]> Declarations() => new()
    {
        { nameof(ApiSchema.OpenAIChat), """{"tools":[{"type":"function","function":{"name":"get_weather"}},{"type":"function","function":{"name":"send_email"}}]}""", ["get_weather", "send_email"] },
        { nameof(ApiSchema.OpenAIResponses), """{"tools":[{"type":"function","name":"get_weather"},{"type":"web_search_preview"}]}""", ["get_weather"] },
        { nameof(ApiSchema.AnthropicMessages), """{"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""", ["get_weather"] },
        { nameof(ApiSchema.GeminiGenerate), """{"tools":[{"functionDeclarations":[{"name":"get_weather"},{"name":"send_email"}]}]}""", ["get_weather", "send_email"] },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void RequestToolNames_EachSchema_TheDeclaredFunctions(string schema, string body, string[] expected)
    {
        Assert.Equal(expected, WireCodecs.For(Enum.Parse<ApiSchema>(schema)).RequestToolNames(JsonNode.Parse(body)!));
    }

    public static TheoryData<string, string> ToolResults() => new()
    {
        { nameof(ApiSchema.OpenAIChat), """{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[]},{"role":"tool","tool_call_id":"c1","content":"RESULT"}]}""" },
        { nameof(ApiSchema.OpenAIResponses), """{"input":[{"role":"user","content":"Hi"},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"RESULT"}]}""" },
        { nameof(ApiSchema.AnthropicMessages), """{"messages":[{"role":"user","content":"Hi"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"RESULT"}]}]}""" },
        { nameof(ApiSchema.GeminiGenerate), """{"contents":[{"role":"user","parts":[{"text":"Hi"}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"content":"RESULT"}}}]}]}""" },
    };

    [Theory]
    [MemberData(nameof(ToolResults))]
    public void VisitRequestTexts_ToolResult_VisitedAsToolResultAndRewritable(string schema, string body)
    {
        var root = JsonNode.Parse(body)!;
        var seen = new List<(string, RequestTextKind)>();

        WireCodecs.For(Enum.Parse<ApiSchema>(schema)).VisitRequestTexts(root, (text, kind) =>
        {
            seen.Add((text, kind));
            return text == "RESULT" ? "[REDACTED]" : text;
        });

        Assert.Equal([("Hi", RequestTextKind.Message), ("RESULT", RequestTextKind.ToolResult)], seen);
        Assert.Contains("[REDACTED]", root.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("RESULT", root.ToJsonString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Responses() => new()
    {
        { nameof(ApiSchema.OpenAIChat), """{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"NAME","arguments":"{\"to\":\"a@b.example\"}"}}]},"finish_reason":"tool_calls"}]}""", "content_filter" },
        { nameof(ApiSchema.OpenAIResponses), """{"status":"completed","output":[{"type":"function_call","id":"fc_1","call_id":"c1","name":"NAME","arguments":"{\"to\":\"a@b.example\"}"}]}""", "content_filter" },
        { nameof(ApiSchema.AnthropicMessages), """{"content":[{"type":"tool_use","id":"t1","name":"NAME","input":{"to":"a@b.example"}}],"stop_reason":"tool_use"}""", "refusal" },
        { nameof(ApiSchema.GeminiGenerate), """{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"NAME","args":{"to":"a@b.example"}}}]},"finishReason":"STOP"}]}""", "SAFETY" },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void GuardResponseToolCalls_Allowed_ArgumentsRewrittenInPlace(string schema, string body, string _)
    {
        var root = JsonNode.Parse(body.Replace("NAME", "send_email", StringComparison.Ordinal))!;
        var seen = new List<(string, string)>();

        var (changed, blocked) = WireCodecs.For(Enum.Parse<ApiSchema>(schema)).GuardResponseToolCalls(root, (name, arguments) =>
        {
            seen.Add((name, JsonNode.Parse(arguments)!["to"]!.GetValue<string>()));
            return """{"to":"[EMAIL]"}""";
        });

        Assert.True(changed);
        Assert.False(blocked);
        Assert.Equal([("send_email", "a@b.example")], seen);
        Assert.DoesNotContain("a@b.example", root.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("[EMAIL]", root.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void GuardResponseToolCalls_Blocked_CallsRemovedAndContentFilterSignal(string schema, string body, string signal)
    {
        var root = JsonNode.Parse(body.Replace("NAME", "delete_account", StringComparison.Ordinal))!;

        var (changed, blocked) = WireCodecs.For(Enum.Parse<ApiSchema>(schema)).GuardResponseToolCalls(root, static (_, _) => null);

        Assert.True(changed);
        Assert.True(blocked);
        var json = root.ToJsonString();
        Assert.DoesNotContain("delete_account", json, StringComparison.Ordinal);
        Assert.Contains("\"" + signal + "\"", json, StringComparison.Ordinal);
    }
}
