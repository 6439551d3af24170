using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace Mesh.Gateway.Api.Callers;

/// <summary>A call's text metadata as a dictionary, copied from the call on first use (most calls without tenants never ask).</summary>
/// <remarks>Not thread-safe beyond a benign race: two first readers would each copy the same entries. Read it only while the
/// call runs (Grpc.AspNetCore's metadata reads the HTTP request, which is reused once the call has ended).</remarks>
internal sealed class CallHeaders(ServerCallContext context) : IReadOnlyDictionary<string, string>
{
    private Dictionary<string, string>? _headers;

    public string this[string key] => Read()[key];

    public IEnumerable<string> Keys => Read().Keys;

    public IEnumerable<string> Values => Read().Values;

    public int Count => Read().Count;

    public bool ContainsKey(string key) => Read().ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => Read().TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Read().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private Dictionary<string, string> Read()
    {
        if (_headers is { } read)
        {
            return read;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.IsBinary)
            {
                headers[entry.Key] = entry.Value;
            }
        }

        return _headers = headers;
    }
}
