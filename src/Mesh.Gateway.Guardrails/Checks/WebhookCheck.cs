using System.Buffers;
using System.Text.Json;

namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>A generic webhook: <c>POST {url}</c> with the check's name, the direction, tenant, policy and texts; the answer
/// <c>{"flagged": bool, "reason"?: string, "score"?: number}</c> (docs/0022-guardrail-checks.md).</summary>
internal sealed class WebhookCheck(GuardCheckOptions options, HttpClient http) : IGuardrailCheck
{
    public string Name => options.Name;

    public async ValueTask<GuardCheckResult> CheckAsync(GuardCheckRequest request, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("check", options.Name);
            w.WriteString("direction", GuardChecks.DirectionName(request.Direction));
            if (request.TenantId is { } tenant)
            {
                w.WriteString("tenant", tenant);
            }

            w.WriteString("policy", request.Policy);
            w.WriteStartArray("texts");
            foreach (var text in request.Texts)
            {
                w.WriteStringValue(text);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var response = await CheckHttp.PostAsync(http, options.Url!, options.ApiKey, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            return GuardCheckResult.Failed(error);
        }

        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var root = doc.RootElement;
            var flagged = root.GetProperty("flagged").GetBoolean();
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            double? score = root.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
            return flagged ? GuardCheckResult.Flag(reason ?? "flagged", score) : GuardCheckResult.Allowed with { Score = score };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return GuardCheckResult.Failed("unreadable");
        }
    }
}
