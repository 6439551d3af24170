namespace Mesh.Gateway.Core.Embeddings;

/// <summary>The vectors, in input order, and the tokens they cost.</summary>
public sealed record EmbeddingResponse
{
    public required IReadOnlyList<ReadOnlyMemory<float>> Embeddings { get; init; }

    public int InputTokens { get; init; }

    public string Provider { get; init; } = string.Empty;

    public string Model { get; init; } = string.Empty;
}
