using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>
/// Rebuilds a function call whose arguments Vertex streams as partialArgs (a JSON path and a value piece each; string
/// pieces with willContinue are concatenated). The call is complete when a functionCall part arrives with neither
/// name nor pieces nor willContinue.
/// </summary>
internal sealed class PartialCallBuilder
{
    private JsonObject? _args;
    private string? _name;
    private string? _id;

    /// <summary>Feeds one functionCall part without args; returns the call when it is complete.</summary>
    public CompletedCall? Add(GeminiFunctionCall call)
    {
        if (call.Name is not null && _name is null)
        {
            _name = call.Name;
            _id = call.Id;
            _args = [];
        }

        foreach (var piece in call.PartialArgs ?? [])
        {
            Apply(piece);
        }

        var ended = call.Name is null && (call.PartialArgs is null || call.PartialArgs.Count == 0) && call.WillContinue != true;
        if (call.Name is not null && call.WillContinue != true && (call.PartialArgs is null || call.PartialArgs.Count == 0))
        {
            ended = true; // a whole call without arguments
        }

        if (!ended || _name is null)
        {
            return null;
        }

        var done = new CompletedCall(_id, _name, (_args ?? []).ToJsonString());
        _name = null;
        _id = null;
        _args = null;
        return done;
    }

    /// <summary>The call still being built, ended by the finish reason instead of its terminal part.</summary>
    public CompletedCall? Flush()
    {
        if (_name is null)
        {
            return null;
        }

        var done = new CompletedCall(_id, _name, (_args ?? []).ToJsonString());
        _name = null;
        _id = null;
        _args = null;
        return done;
    }

    private void Apply(GeminiPartialArg piece)
    {
        _args ??= [];
        var path = piece.JsonPath ?? "$";
        var segments = Parse(path);
        if (segments.Count == 0)
        {
            return;
        }

        JsonNode container = _args;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            container = Child(container, segments[i], segments[i + 1] is int);
        }

        var last = segments[^1];
        JsonNode? value = piece.StringValue is not null ? JsonValue.Create(piece.StringValue)
            : piece.NumberValue is { } n ? JsonValue.Create(n)
            : piece.BoolValue is { } b ? JsonValue.Create(b)
            : null;
        var existing = Get(container, last);
        if (piece.StringValue is not null && existing is JsonValue v && v.TryGetValue<string>(out var prefix))
        {
            value = JsonValue.Create(prefix + piece.StringValue);
        }

        Set(container, last, value);
    }

    private static JsonNode? Get(JsonNode container, object key) => key switch
    {
        string s when container is JsonObject o => o[s],
        int i when container is JsonArray a && i < a.Count => a[i],
        _ => null,
    };

    private static void Set(JsonNode container, object key, JsonNode? value)
    {
        if (key is string s && container is JsonObject o)
        {
            o[s] = value;
        }
        else if (key is int i && container is JsonArray a)
        {
            while (a.Count <= i)
            {
                a.Add(null);
            }

            a[i] = value;
        }
    }

    private static JsonNode Child(JsonNode container, object key, bool arrayNext)
    {
        var existing = Get(container, key);
        if (existing is not null)
        {
            return existing;
        }

        JsonNode created = arrayNext ? new JsonArray() : new JsonObject();
        Set(container, key, created);
        return created;
    }

    private static List<object> Parse(string path)
    {
        var segments = new List<object>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    throw new JsonException($"bad partial argument path '{path}'");
                }

                var inner = path[(i + 1)..end].Trim('\'', '"');
                segments.Add(int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : inner);
                i = end + 1;
            }
            else
            {
                throw new JsonException($"bad partial argument path '{path}'");
            }
        }

        return segments;
    }

    internal sealed record CompletedCall(string? Id, string Name, string Arguments);
}
