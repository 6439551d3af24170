using System.Buffers;
using System.Text.Json;

namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>An OpenAI-moderation-shaped API: <c>POST {url}/moderations</c> with <c>{"model","input":[texts]}</c>; flagged when
/// a result is, its reason the first flagged category, its score the highest category score.</summary>
internal sealed class OpenAIModerationCheck(GuardCheckOptions options, HttpClient http) : IGuardrailCheck
{
    public string Name => options.Name;

    public async ValueTask<GuardCheckResult> CheckAsync(GuardCheckRequest request, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteString("model", options.Model ?? "omni-moderation-latest");
            w.WriteStartArray("input");
            foreach (var text in request.Texts)
            {
                w.WriteStringValue(text);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var url = new Uri(options.Url!.ToString().TrimEnd('/') + "/moderations");
        var response = await CheckHttp.PostAsync(http, url, options.ApiKey, body.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (response.Error is { } error)
        {
            return GuardCheckResult.Failed(error);
        }

        try
        {
            using var doc = JsonDocument.Parse(response.Body);
            var flagged = false;
            string? reason = null;
            double? score = null;
            foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                flagged |= result.GetProperty("flagged").GetBoolean();
                if (result.TryGetProperty("categories", out var categories))
                {
                    foreach (var category in categories.EnumerateObject())
                    {
                        if (category.Value.ValueKind == JsonValueKind.True)
                        {
                            reason ??= category.Name;
                        }
                    }
                }

                if (result.TryGetProperty("category_scores", out var scores))
                {
                    foreach (var s in scores.EnumerateObject())
                    {
                        if (s.Value.ValueKind == JsonValueKind.Number)
                        {
                            score = Math.Max(score ?? 0, s.Value.GetDouble());
                        }
                    }
                }
            }

            return flagged ? GuardCheckResult.Flag(reason ?? "flagged", score) : GuardCheckResult.Allowed with { Score = score };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return GuardCheckResult.Failed("unreadable");
        }
    }
}
