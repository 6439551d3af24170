using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>The one reading of a request body that ext_authz Check and ext_proc both decide on, so they cannot disagree.</summary>
/// <remarks>Strict JSON: a key given twice in any object is refused, since readers differ on which one counts (a sniffer took the
/// first <c>"model"</c>, OpenAI takes the last) and policy would decide on one value while the provider used the other.</remarks>
internal static class RequestBodyReader
{
    private const int MaxDepth = 128;

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Parses <paramref name="body"/>; the model is the path's when the path names one, else the body's <c>"model"</c> string.</summary>
    public static RequestBodyReading Read(ReadOnlySpan<byte> body, ProviderApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, NodeOptions, DocumentOptions);
        }
        catch (JsonException)
        {
            return new RequestBodyReading(null, null, DuplicateKey(body) is { } key
                ? EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.DuplicateKey,
                    $"The request body names the key '{key}' more than once; the gateway refuses JSON that readers may read differently.")
                : EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.InvalidJson, "The request body is not valid JSON."));
        }

        if (root is not JsonObject obj)
        {
            return new RequestBodyReading(null, null, EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.InvalidJson, "The request body must be a JSON object."));
        }

        var model = api.PathModel ?? (obj["model"] is JsonValue mv && mv.TryGetValue<string>(out var m) ? m : null);
        return new RequestBodyReading(obj, model, null);
    }

    // Only on the error path: names the first key given twice in one object (unescaped, as every reader compares them), or null.
    private static string? DuplicateKey(ReadOnlySpan<byte> body)
    {
        var seen = new Stack<HashSet<string>?>();
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        seen.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        seen.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        seen.Pop();
                        break;
                    case JsonTokenType.PropertyName when seen.Peek() is { } names && !names.Add(reader.GetString()!):
                        return reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}

/// <summary>What <see cref="RequestBodyReader"/> read: the body's object and its model, or why it is refused (a 400).</summary>
internal sealed record RequestBodyReading(JsonObject? Root, string? Model, GatewayError? Error);
