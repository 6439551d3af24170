using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>The stream codec of a schema that does not stream (embeddings): no event carries text or ends anything.</summary>
internal sealed class NoStream : IWireStreamCodec
{
    public static readonly NoStream Instance = new();

    private NoStream()
    {
    }

    public string? Delta(JsonElement root) => null;

    public bool EndsText(JsonElement root) => false;

    public bool EndsStream(JsonElement root) => false;

    public bool SetDelta(JsonNode root, string text) => false;
}
