using System.Text.Json.Nodes;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Tests.Wire;

/// <summary>A whole text answer the guardrails cut ends with the schema's own content-filter signal, the one its SDKs read as
/// "stopped by a filter" (and the one the schema's streamed cut ends with).</summary>
public sealed class ContentFilterWireTests
{
    public static TheoryData<string, string, string, string> Answers() => new()
    {
        { nameof(ApiSchema.OpenAIChat), """{"choices":[{"index":0,"message":{"role":"assistant","content":"Here is the plan."},"finish_reason":"stop"}]}""", "$.choices[0].finish_reason", "content_filter" },
        { nameof(ApiSchema.AnthropicMessages), """{"type":"message","content":[{"type":"text","text":"Here is the plan."}],"stop_reason":"end_turn"}""", "$.stop_reason", "refusal" },
        { nameof(ApiSchema.GeminiGenerate), """{"candidates":[{"content":{"role":"model","parts":[{"text":"Here is the plan."}]},"finishReason":"STOP"}]}""", "$.candidates[0].finishReason", "SAFETY" },
        { nameof(ApiSchema.OpenAIResponses), """{"status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"Here is the plan."}]}]}""", "$.incomplete_details.reason", "content_filter" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void MarkContentFiltered_TextAnswer_SchemaSignalAndTextKept(string schema, string body, string path, string signal)
    {
        var root = JsonNode.Parse(body)!;

        WireCodecs.For(Enum.Parse<ApiSchema>(schema)).MarkContentFiltered(root);

        Assert.Equal(signal, At(root, path));
        Assert.Contains("Here is the plan.", root.ToJsonString(), StringComparison.Ordinal);
        if (schema == nameof(ApiSchema.OpenAIResponses))
        {
            Assert.Equal("incomplete", root["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public void MarkContentFiltered_Embeddings_BodyUnchanged()
    {
        const string body = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}]}""";
        var root = JsonNode.Parse(body)!;

        WireCodecs.For(ApiSchema.OpenAIEmbeddings).MarkContentFiltered(root);

        Assert.Equal(JsonNode.Parse(body)!.ToJsonString(), root.ToJsonString());
    }

    // A path of the shapes above: $.name, $.name[0].name.
    private static string? At(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var step in path[2..].Split('.'))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            node = bracket < 0 ? node?[step] : node?[step[..bracket]]?[int.Parse(step[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)];
        }

        return node?.GetValue<string>();
    }
}
