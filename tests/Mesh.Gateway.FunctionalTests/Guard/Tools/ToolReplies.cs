using System.Text.Json;
using Mesh.Gateway.Providers.AwsEventStream;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Guard.Tools;

/// <summary>An upstream answer that is one call of a tool, in each provider wire schema the gateway speaks upstream (OpenAI chat
/// completions, OpenAI Responses, Anthropic Messages, Gemini generateContent, Bedrock Converse), whole or streamed with the
/// arguments cut into fragments where the schema streams them (Gemini sends a call's arguments whole).</summary>
internal static class ToolReplies
{
    public static readonly string[] Providers = ["openai", "responses", "anthropic", "gemini", "bedrock"];

    /// <summary>The model the rig routes to <paramref name="provider"/>.</summary>
    public static string Model(string provider) => provider;

    public static FakeResponse Whole(string provider, string name, string arguments) => provider switch
    {
        "responses" => FakeResponse.Json(
            "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":"
            + Quote(name) + ",\"arguments\":" + Quote(arguments) + ",\"status\":\"completed\"}],\"usage\":{\"input_tokens\":20,\"output_tokens\":9,\"total_tokens\":29}}"),
        "anthropic" => FakeResponse.Json(
            "{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":" + Quote(name) + ",\"input\":"
            + arguments + "}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":9}}"),
        "gemini" => FakeResponse.Json(
            "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":" + Quote(name) + ",\"args\":" + arguments + "}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":9,\"totalTokenCount\":29}}"),
        "bedrock" => FakeResponse.Json(
            "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":" + Quote(name) + ",\"input\":" + arguments + "}}]}},"
            + "\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":20,\"outputTokens\":9,\"totalTokens\":29},\"metrics\":{\"latencyMs\":12}}"),
        _ => FakeResponse.Json(
            "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":" + Quote(name) + ",\"arguments\":" + Quote(arguments) + "}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}"),
    };

    /// <summary>The call streamed, its arguments cut at <paramref name="split"/>.</summary>
    public static FakeResponse Stream(string provider, string name, string arguments, int split)
    {
        string[] fragments = [arguments[..split], arguments[split..]];
        return provider switch
        {
            "responses" => FakeResponse.Sse(
                Event("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"gpt-4o-mini\",\"output\":[]}}")
                + Event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":" + Quote(name) + ",\"arguments\":\"\",\"status\":\"in_progress\"}}")
                + string.Concat(fragments.Select(f => Event("response.function_call_arguments.delta", "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":" + Quote(f) + "}")))
                + Event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":" + Quote(name) + ",\"arguments\":" + Quote(arguments) + ",\"status\":\"completed\"}}")
                + Event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[],\"usage\":{\"input_tokens\":20,\"output_tokens\":9,\"total_tokens\":29}}}")),
            "anthropic" => FakeResponse.Sse(
                Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
                + Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":" + Quote(name) + ",\"input\":{}}}")
                + string.Concat(fragments.Select(f => Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + Quote(f) + "}}")))
                + Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}")
                + Event("message_stop", "{\"type\":\"message_stop\"}")),
            "gemini" => FakeResponse.Sse(
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":" + Quote(name) + ",\"args\":" + arguments + "}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":9,\"totalTokenCount\":29}}\r\n\r\n"),
            "bedrock" => FakeResponse.AwsEventStream(Concat(
                EventStreamEncoder.Event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreamEncoder.Event("contentBlockStart", "{\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":" + Quote(name) + "}},\"contentBlockIndex\":0}"),
                EventStreamEncoder.Event("contentBlockDelta", "{\"delta\":{\"toolUse\":{\"input\":" + Quote(fragments[0]) + "}},\"contentBlockIndex\":0}"),
                EventStreamEncoder.Event("contentBlockDelta", "{\"delta\":{\"toolUse\":{\"input\":" + Quote(fragments[1]) + "}},\"contentBlockIndex\":0}"),
                EventStreamEncoder.Event("contentBlockStop", "{\"contentBlockIndex\":0}"),
                EventStreamEncoder.Event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                EventStreamEncoder.Event("metadata", "{\"usage\":{\"inputTokens\":20,\"outputTokens\":9,\"totalTokens\":29},\"metrics\":{\"latencyMs\":12}}"))),
            _ => FakeResponse.Sse(
                Data("{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":" + Quote(name) + ",\"arguments\":\"\"}}]},\"finish_reason\":null}]}")
                + string.Concat(fragments.Select(f => Data("{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + Quote(f) + "}}]},\"finish_reason\":null}]}")))
                + Data("{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")
                + Data("{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}")
                + "data: [DONE]\n\n"),
        };
    }

    private static string Event(string type, string json) => "event: " + type + "\ndata: " + json + "\n\n";

    private static string Data(string json) => "data: " + json + "\n\n";

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(static p => p)];

    private static string Quote(string text) => "\"" + JsonEncodedText.Encode(text).ToString() + "\"";
}
