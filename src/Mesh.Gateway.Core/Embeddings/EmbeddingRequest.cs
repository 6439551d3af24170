using System.Text.Json;

namespace Mesh.Gateway.Core.Embeddings;

/// <summary>A provider-neutral embeddings request: one vector per input text.</summary>
public sealed record EmbeddingRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>Output dimensions, for models that can shorten their vectors.</summary>
    public int? Dimensions { get; init; }

    public string? EndUserId { get; init; }

    /// <summary>A JSON object merged over the provider's request body.</summary>
    public JsonElement? ProviderOptions { get; init; }
}
