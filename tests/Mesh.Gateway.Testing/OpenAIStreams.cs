using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mesh.Gateway.Testing;

/// <summary>Synthesises OpenAI chat completion bodies and streams in the shape the recordings show.</summary>
public static class OpenAIStreams
{
    public static string Completion(string text, int inputTokens, int outputTokens, string model) =>
        "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"created\":1,\"model\":" + Quote(model)
        + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Quote(text) + ",\"refusal\":null},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":" + N(inputTokens) + ",\"completion_tokens\":" + N(outputTokens) + ",\"total_tokens\":" + N(inputTokens + outputTokens) + "}}";

    public static string Stream(IReadOnlyList<string> deltas, int inputTokens, int outputTokens, string model)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var sb = new StringBuilder();
        var head = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":" + Quote(model) + ",";
        sb.Append("data: ").Append(head).Append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n");
        foreach (var delta in deltas)
        {
            sb.Append("data: ").Append(head).Append("\"choices\":[{\"index\":0,\"delta\":{\"content\":").Append(Quote(delta)).Append("},\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        sb.Append("data: ").Append(head).Append("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        sb.Append("data: ").Append(head).Append("\"choices\":[],\"usage\":{\"prompt_tokens\":").Append(N(inputTokens))
            .Append(",\"completion_tokens\":").Append(N(outputTokens)).Append(",\"total_tokens\":").Append(N(inputTokens + outputTokens)).Append("}}\n\n");
        sb.Append("data: [DONE]\n\n");
        return sb.ToString();
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s, TestingJsonContext.Default.String);

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
}
