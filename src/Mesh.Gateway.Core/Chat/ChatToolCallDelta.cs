namespace Mesh.Gateway.Core.Chat;

/// <summary>A piece of a streamed tool call: the first piece for an index carries id and name, later ones argument fragments.</summary>
public sealed record ChatToolCallDelta
{
    /// <summary>The position of the call among the calls of this response (stable across chunks).</summary>
    public required int Index { get; init; }

    public string? Id { get; init; }

    public string? Name { get; init; }

    /// <summary>A fragment of the JSON arguments text, to be appended in order.</summary>
    public string? ArgumentsFragment { get; init; }
}
