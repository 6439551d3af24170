using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Parses a buffered request body and asks OpenAI streams for usage.</summary>
/// <remarks>The request guardrails are the pipeline's (RequestGuardrailsStep, on the texts kept here for the steps); their
/// redaction is written back through the codec (ExtProcSession.WriteBack). Prompt tokens are the limits step's to count, on
/// the request as the steps pass it on (TokenizerPromptTokenEstimator, the one counter of every door).</remarks>
internal static class RequestBodyEditor
{
    // forPipeline: pipeline steps will see the request, so the parsed body and its texts are kept for them (otherwise they
    // are let go with the request phase).
    public static RequestBodyResult Process(ReadOnlyMemory<byte> body, ProviderApi api, bool forceStreamUsage, bool forPipeline = false)
    {
        var reading = RequestBodyReader.Read(body.Span, api);
        if (reading.Error is { } error)
        {
            return new RequestBodyResult { Error = error };
        }

        var obj = reading.Root!;
        var codec = api.Codec;
        var model = reading.Model;
        var streaming = api.PathStreaming || (obj["stream"] is JsonValue sv && sv.TryGetValue<bool>(out var s) && s);
        var texts = new List<string>();
        var kinds = new List<RequestTextKind>();
        var changed = false;
        codec.VisitRequestTexts(obj, (text, kind) =>
        {
            texts.Add(text);
            kinds.Add(kind);
            return text;
        });

        var usageRequested = false;
        var usageForced = false;
        if (streaming)
        {
            (usageRequested, usageForced) = codec.RequestStreamUsage(obj, forceStreamUsage);
            changed |= usageForced;
        }

        int? maxOutput = null;
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens", "max_output_tokens"])
        {
            if (obj[name] is null)
            {
                continue;
            }

            // The output limit is what admission reserves for: one that is not a positive integer is refused, not ignored.
            if (obj[name] is not JsonValue v || !v.TryGetValue<int>(out var n) || n <= 0)
            {
                return new RequestBodyResult { Model = model, Streaming = streaming, Error = EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.InvalidRequest, $"'{name}' must be a positive integer.") };
            }

            maxOutput ??= n;
        }

        if (maxOutput is null && obj["generationConfig"]?["maxOutputTokens"] is JsonValue g && g.TryGetValue<int>(out var gn))
        {
            maxOutput = gn;
        }

        var reasoning = obj["reasoning_effort"] is JsonValue re && !(re.TryGetValue<string>(out var effort) && effort == "none")
            || obj["reasoning"] is JsonObject
            || obj["thinking"] is JsonObject { } thinking && (thinking["type"] as JsonValue)?.ToString() != "disabled";
        return new RequestBodyResult
        {
            Model = model,
            Streaming = streaming,
            MaxOutputTokens = maxOutput,
            UsageRequested = usageRequested,
            UsageForced = usageForced,
            Reasoning = reasoning,
            NewBody = changed ? JsonText.Serialize(obj) : null,
            Texts = forPipeline ? texts : [],
            TextKinds = forPipeline ? kinds : [],
            ToolNames = forPipeline ? codec.RequestToolNames(obj) : [],
            Root = forPipeline ? obj : null,
        };
    }
}
