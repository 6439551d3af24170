using System.Text;
using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.Testing;

/// <summary>One go-vcr v2 cassette interaction: the request an SDK sent and the response the provider gave.</summary>
public sealed record CassetteInteraction(
    string Method,
    Uri Url,
    string RequestBody,
    int Status,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    string ResponseBody)
{
    public string ContentType => ResponseHeaders.TryGetValue("Content-Type", out var ct) ? ct : "application/json";

    /// <summary>The recorded response, replayable by <see cref="FakeProviderServer"/> (rate-limit and retry headers kept).</summary>
    public FakeResponse ToFakeResponse() => new()
    {
        Status = Status,
        ContentType = ContentType,
        Body = Encoding.UTF8.GetBytes(ResponseBody),
        Headers = ResponseHeaders
            .Where(h => h.Key.StartsWith("x-ratelimit", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => h.Value),
    };
}

/// <summary>Reads go-vcr v2 cassettes (the envoyproxy/ai-gateway recordings).</summary>
public static class Cassette
{
    public static IReadOnlyList<CassetteInteraction> Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var result = new List<CassetteInteraction>();
        foreach (YamlMappingNode interaction in (YamlSequenceNode)root["interactions"])
        {
            var request = (YamlMappingNode)interaction["request"];
            var response = (YamlMappingNode)interaction["response"];
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (response.Children.TryGetValue(new YamlScalarNode("headers"), out var h) && h is YamlMappingNode map)
            {
                foreach (var (key, value) in map.Children)
                {
                    headers[((YamlScalarNode)key).Value!] = value is YamlSequenceNode seq ? string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)) : ((YamlScalarNode)value).Value ?? string.Empty;
                }
            }

            var url = Scalar(request, "url");
            if (request.Children.TryGetValue(new YamlScalarNode("form"), out var form) && form is YamlMappingNode formMap && formMap.Children.Count > 0)
            {
                url += "?" + string.Join("&", formMap.Children.Select(kv => ((YamlScalarNode)kv.Key).Value + "=" + ((YamlScalarNode)((YamlSequenceNode)kv.Value).Children[0]).Value));
            }

            result.Add(new CassetteInteraction(
                Scalar(request, "method"),
                new Uri(url),
                Scalar(request, "body"),
                int.Parse(Scalar(response, "code"), System.Globalization.CultureInfo.InvariantCulture),
                headers,
                Scalar(response, "body")));
        }

        return result;
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value ?? string.Empty : string.Empty;
}
