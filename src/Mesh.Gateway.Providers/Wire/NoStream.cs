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

    public JsonStringLocator.Step[]? DeltaPath => null;

    public bool EndEventsCarryNoDelta => false;

    public bool EndEventsRepeatText => false;

    public bool AnnouncesCut => false;

    public bool TryReadTextDelta(ReadOnlySpan<byte> data, out string? text, out int start, out int end)
    {
        text = null;
        start = end = 0;
        return false;
    }

    public string? Delta(JsonElement root) => null;

    public bool EndsText(JsonElement root) => false;

    public bool EndsStream(JsonElement root) => false;

    public bool RepeatsWholeText(JsonElement root) => false;

    public bool IsUsageOnly(JsonElement root) => false;

    public bool KeepsAfterCut(JsonElement root, string? delta) => delta is null;

    public bool SetDelta(JsonNode root, string text) => false;

    public void SetFinishReason(JsonNode root, string? reason)
    {
    }

    public void PrepareSyntheticDelta(JsonObject copy)
    {
    }

    public bool TryMakeCutEvent(JsonObject copy, string? finishReason) => false;
}
