using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>The Envoy door: the app calls its provider with the provider's own wire schema through the fake Envoy
/// (ext_authz Check, then ext_proc Process), which forwards to the fake upstream.</summary>
public sealed class EnvoyDoor(EnvoyDoor.Schema schema, bool streams) : IDoor
{
    /// <summary>The wire schema the app speaks.</summary>
    public enum Schema
    {
        OpenAI,
        Anthropic,
        Gemini,
    }

    public string Name => $"envoy {schema}{(streams ? " stream" : string.Empty)}";

    public bool Streams => streams;

    public string LedgerDoor => "envoy";

    public string GenAiProvider => schema switch
    {
        Schema.Anthropic => "anthropic",
        Schema.Gemini => "gcp.gemini",
        _ => "openai",
    };

    // The same family in each schema: the small model, the large one, and one only the telemetry row uses.
    public string Model(string logical) => (schema, logical) switch
    {
        (Schema.Anthropic, ParityRig.SmallModel) => "claude-3-5-haiku-latest",
        (Schema.Anthropic, ParityRig.LargeModel) => "claude-opus-4-1",
        (Schema.Anthropic, ParityRig.TelemetryModel) => "claude-3-5-haiku-parity",
        (Schema.Gemini, ParityRig.SmallModel) => "gemini-2.0-flash",
        (Schema.Gemini, ParityRig.LargeModel) => "gemini-2.5-pro",
        (Schema.Gemini, ParityRig.TelemetryModel) => "gemini-2.0-flash-parity",
        _ => logical,
    };

    public FakeResponse Reply(IReadOnlyList<string> deltas)
    {
        var text = string.Concat(deltas);
        return (schema, streams) switch
        {
            (Schema.OpenAI, true) => FakeResponse.OpenAIChatStream(deltas),
            (Schema.Anthropic, false) => FakeResponse.Json(
                "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[{\"type\":\"text\",\"text\":"
                + Quote(text) + "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}"),
            (Schema.Gemini, false) => FakeResponse.Json(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + Quote(text) + "}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,\"totalTokenCount\":8},\"modelVersion\":\"gemini-2.0-flash\"}"),
            (Schema.OpenAI, false) => FakeResponse.OpenAIChat(text),
            _ => throw new NotSupportedException($"{Name}: no recorded stream shape"),
        };
    }

    public async Task<DoorOutcome> CallAsync(ParityRig rig, DoorCall request, CancellationToken cancellationToken)
    {
        var envoy = new FakeEnvoy(rig.Sidecar.EnvoyChannel, rig.Upstream.BaseUrl, TimeSpan.FromSeconds(30));
        if (request.ResponseChunkBytes is { } size)
        {
            envoy.ChunkLengths = body => Enumerable.Repeat(size, (body.Length + size - 1) / size);
        }

        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };
        if (request.TraceParent is { } traceParent)
        {
            headers["traceparent"] = traceParent;
        }

        var model = Model(request.Model);
        string path;
        string body;
        switch (schema)
        {
            case Schema.Anthropic:
                path = "/v1/messages";
                headers["x-api-key"] = request.ApiKey;
                headers["anthropic-version"] = "2023-06-01";
                body = "{\"model\":" + Quote(model) + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":" + Quote(request.Prompt) + "}]}";
                break;
            case Schema.Gemini:
                path = $"/v1beta/models/{model}:generateContent";
                headers["x-goog-api-key"] = request.ApiKey;
                body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":" + Quote(request.Prompt) + "}]}]}";
                break;
            default:
                path = "/v1/chat/completions";
                headers["authorization"] = "Bearer " + request.ApiKey;
                body = "{\"model\":" + Quote(model) + ",\"messages\":[{\"role\":\"user\",\"content\":" + Quote(request.Prompt) + "}]"
                    + (streams ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : string.Empty) + "}";
                break;
        }

        var exchange = await envoy.SendAsync("POST", path, headers, Encoding.UTF8.GetBytes(body), cancellationToken);
        if (exchange.Status != 200)
        {
            string? message = null;
            try
            {
                using var error = JsonDocument.Parse(exchange.ResponseBody);
                message = error.RootElement.GetProperty("error").GetProperty("message").GetString();
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                message = Encoding.UTF8.GetString(exchange.ResponseBody);
            }

            return new DoorOutcome { Status = exchange.Status, ErrorMessage = message };
        }

        return streams ? ReadStream(exchange.ResponseBody) : ReadWhole(exchange.ResponseBody);
    }

    public override string ToString() => Name;

    private DoorOutcome ReadWhole(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        return schema switch
        {
            Schema.Anthropic => new DoorOutcome
            {
                Text = string.Concat(root.GetProperty("content").EnumerateArray().Select(static b => b.GetProperty("text").GetString())),
                FinishReason = root.GetProperty("stop_reason").GetString() switch { "end_turn" or "stop_sequence" => "stop", "max_tokens" => "length", var other => other },
            },
            Schema.Gemini => new DoorOutcome
            {
                Text = string.Concat(root.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray().Select(static p => p.GetProperty("text").GetString())),
                FinishReason = root.GetProperty("candidates")[0].GetProperty("finishReason").GetString() switch { "STOP" => "stop", "MAX_TOKENS" => "length", "SAFETY" => "content_filter", var other => other },
            },
            _ => new DoorOutcome
            {
                Text = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? string.Empty,
                FinishReason = root.GetProperty("choices")[0].GetProperty("finish_reason").GetString(),
            },
        };
    }

    // OpenAI chat SSE as an SDK reads it: every data event up to [DONE]; the text joined, the last finish reason.
    private static DoorOutcome ReadStream(byte[] bytes)
    {
        var text = new StringBuilder();
        string? finish = null;
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line["data: ".Length..]);
            if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
            {
                continue;
            }

            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }

            if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                finish = reason.GetString();
            }
        }

        return new DoorOutcome { Text = text.ToString(), FinishReason = finish };
    }

    private static string Quote(string s) => "\"" + JsonEncodedText.Encode(s).ToString() + "\"";
}
