using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Chat;

/// <summary>The fields of a provider request that policy decides, which a caller's pass-through <c>provider_options</c> may not set.</summary>
/// <remarks>
/// The options are merged over the translated body, so without this a caller could send another model than the one it was
/// allowed and charged for, messages the guardrails never saw, more output than was reserved, or turn usage reporting off.
/// Names are compared as providers' parsers read them: case-insensitively and with or without underscores (Gemini and
/// Bedrock accept <c>max_output_tokens</c> and <c>maxOutputTokens</c> alike; Go's encoding/json ignores case).
/// </remarks>
public static class ProviderOptionsPolicy
{
    // Top level, every wire schema: the model; the conversation (OpenAI chat and Responses, Anthropic, Gemini, Bedrock, legacy
    // completions, Gemini embeddings); the stream flags and usage reporting; tool definitions; several choices billed at once.
    private static readonly FrozenSet<string> PolicyFields = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "model", "modelid", "messages", "input", "contents", "content", "requests", "system", "systeminstruction", "prompt", "instructions",
        "previousresponseid", "conversation", "stream", "streamoptions", "tools", "functions", "toolconfig", "n", "bestof", "candidatecount");

    // At any depth (generationConfig.maxOutputTokens, inferenceConfig.maxTokens): the output limit admission reserved for.
    private static readonly FrozenSet<string> OutputLimits = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "maxtokens", "maxcompletiontokens", "maxoutputtokens", "maxtokenstosample", "maxnewtokens", "candidatecount");

    /// <summary>True when <paramref name="name"/> (a top-level key) is a field policy decides and options may never set (output
    /// limits aside: an option may lower those, and <see cref="Check"/> refuses one that raises them).</summary>
    public static bool IsPolicyField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = Normalize(name);
        return PolicyFields.Contains(normalized) && !OutputLimits.Contains(normalized);
    }

    /// <summary>Checks the caller's options; returns an INVALID_ARGUMENT error naming the first field policy decides, or null.</summary>
    /// <param name="options">The pass-through options (null or a JSON object).</param>
    /// <param name="maxOutputTokens">The call's own output limit: an option may lower it, never raise it or set one when none was given.</param>
    /// <param name="at">The options' field name in the caller's request.</param>
    public static GatewayError? Check(JsonElement? options, int? maxOutputTokens, string at = "provider_options")
    {
        if (options is not { ValueKind: JsonValueKind.Object } root)
        {
            return null;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (IsPolicyField(property.Name))
            {
                return GatewayError.InvalidArgument($"{at}.{property.Name}", "is decided by the gateway's policy and may not be set through provider_options; use the request's own field");
            }
        }

        return CheckOutputLimits(root, maxOutputTokens, at);
    }

    private static GatewayError? CheckOutputLimits(JsonElement element, int? maxOutputTokens, string at)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = $"{at}.{property.Name}";
            var name = Normalize(property.Name);
            if (OutputLimits.Contains(name))
            {
                var candidates = string.Equals(name, "candidatecount", StringComparison.OrdinalIgnoreCase);
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt64(out var value) || value <= 0)
                {
                    return GatewayError.InvalidArgument(path, "must be a positive integer");
                }

                if (candidates ? value > 1 : maxOutputTokens is not { } max || value > max)
                {
                    var limit = candidates
                        ? "more than one candidate is billed but not delivered"
                        : maxOutputTokens is { } m
                            ? string.Create(CultureInfo.InvariantCulture, $"may not raise the output limit past max_output_tokens ({m}); was {value}")
                            : "may not set an output limit the gateway did not reserve for; set max_output_tokens instead";
                    return GatewayError.InvalidArgument(path, limit);
                }
            }
            else if (property.Value.ValueKind == JsonValueKind.Object && CheckOutputLimits(property.Value, maxOutputTokens, path) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    private static string Normalize(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
}
