using System.Text.Json;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>Upstream answers in each provider's wire schema: text, or one call of the tool <c>get_weather</c>.</summary>
internal static class UpstreamReplies
{
    public const string ToolArguments = "{\"city\":\"Paris\"}";

    public static FakeResponse Text(string provider, string text) => provider switch
    {
        "anthropic" => FakeResponse.Json(
            "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[{\"type\":\"text\",\"text\":"
            + Quote(text) + "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":4}}"),
        "gemini" => FakeResponse.Json(
            "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + Quote(text) + "}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":4,\"totalTokenCount\":11},\"modelVersion\":\"gemini-2.0-flash\"}"),
        "bedrock" => FakeResponse.Json(
            "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":" + Quote(text) + "}]}},\"stopReason\":\"end_turn\","
            + "\"usage\":{\"inputTokens\":7,\"outputTokens\":4,\"totalTokens\":11},\"metrics\":{\"latencyMs\":12}}"),
        _ => FakeResponse.OpenAIChat(text, inputTokens: 7, outputTokens: 4),
    };

    /// <summary>A streamed answer of <paramref name="text"/> cut in three deltas, input 7 and output 4 tokens.</summary>
    public static FakeResponse TextStream(string provider, string text)
    {
        var third = text.Length / 3;
        string[] deltas = [text[..third], text[third..(2 * third)], text[(2 * third)..]];
        return provider switch
        {
            "anthropic" => FakeResponse.Sse(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + string.Concat(deltas.Select(d => "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + Quote(d) + "}}\n\n"))
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":4}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
            "gemini" => FakeResponse.Sse(string.Concat(deltas.Select((d, i) =>
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + Quote(d) + "}],\"role\":\"model\"}" + (i == 2 ? ",\"finishReason\":\"STOP\"" : string.Empty)
                + ",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":" + (i == 2 ? 4 : i + 1) + "}}\r\n\r\n"))),
            _ => FakeResponse.OpenAIChatStream(deltas, inputTokens: 7, outputTokens: 4),
        };
    }

    public static FakeResponse ToolCall(string provider) => provider switch
    {
        "anthropic" => FakeResponse.Json(
            "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":"
            + ToolArguments + "}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":9}}"),
        "gemini" => FakeResponse.Json(
            "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":" + ToolArguments + "}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":9,\"totalTokenCount\":29}}"),
        _ => FakeResponse.Json(
            "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":" + Quote(ToolArguments) + "}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}"),
    };

    public static FakeResponse Embeddings(int count) => FakeResponse.Json(
        "{\"object\":\"list\",\"data\":[" + string.Join(',', Enumerable.Range(0, count).Select(i => $"{{\"object\":\"embedding\",\"index\":{i},\"embedding\":[0.5,-0.25,{i}]}}"))
        + "],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}");

    /// <summary>The model routed to <paramref name="provider"/>'s fake in <see cref="HttpDoorFixture"/>.</summary>
    public static string Model(string provider) => provider switch
    {
        "anthropic" => "claude",
        "gemini" => "gemini",
        _ => "gpt-4o-mini",
    };

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";
}
