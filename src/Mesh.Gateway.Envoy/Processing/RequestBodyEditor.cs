using System.Text.Json.Nodes;
using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Tokens;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Parses a buffered request body, applies the request guardrails, counts prompt tokens, and asks OpenAI streams for usage.</summary>
internal static class RequestBodyEditor
{
    public static RequestBodyResult Process(ReadOnlyMemory<byte> body, ProviderApi api, IEnvoyGuard guard, IPromptTokenCounter counter, bool forceStreamUsage)
    {
        var reading = RequestBodyReader.Read(body.Span, api);
        if (reading.Error is { } error)
        {
            return new RequestBodyResult { Error = error };
        }

        var obj = reading.Root!;
        var model = reading.Model;
        var streaming = api.PathStreaming || (obj["stream"] is JsonValue sv && sv.TryGetValue<bool>(out var s) && s);
        var texts = new List<string>();
        string? blocked = null;
        var changed = false;
        var redacted = false;
        BodyTexts.Visit(obj, api.Schema, text =>
        {
            if (blocked is not null || !guard.InspectsRequests)
            {
                texts.Add(text);
                return text;
            }

            var check = guard.InspectRequest(text);
            if (check.Blocked)
            {
                blocked = check.Reason ?? "The request was blocked by the gateway's content policy.";
                return text;
            }

            texts.Add(check.Text);
            if (check.Changed)
            {
                changed = redacted = true;
                return check.Text;
            }

            return text;
        });

        if (blocked is not null)
        {
            return new RequestBodyResult
            {
                Model = model,
                Streaming = streaming,
                Error = new GatewayError(400, GatewayErrorKind.InvalidRequest, "content_policy_violation", blocked),
            };
        }

        var usageRequested = false;
        if (api.Schema == ApiSchema.OpenAIChat && streaming)
        {
            var options = obj["stream_options"] as JsonObject;
            usageRequested = options?["include_usage"] is JsonValue iu && iu.TryGetValue<bool>(out var on) && on;
            if (!usageRequested && forceStreamUsage)
            {
                if (options is null)
                {
                    options = [];
                    obj["stream_options"] = options;
                }

                options["include_usage"] = true;
                usageRequested = true;
                changed = true;
            }
        }

        int? maxOutput = null;
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens", "max_output_tokens"])
        {
            if (obj[name] is JsonValue v && v.TryGetValue<int>(out var n))
            {
                maxOutput = n;
                break;
            }
        }

        if (maxOutput is null && obj["generationConfig"]?["maxOutputTokens"] is JsonValue g && g.TryGetValue<int>(out var gn))
        {
            maxOutput = gn;
        }

        return new RequestBodyResult
        {
            Model = model,
            Streaming = streaming,
            PromptTokens = counter.Count(model ?? string.Empty, texts),
            MaxOutputTokens = maxOutput,
            Redacted = redacted,
            UsageRequested = usageRequested,
            NewBody = changed ? JsonText.Serialize(obj) : null,
        };
    }
}
