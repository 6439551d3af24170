using System.Text.Json;

namespace Mesh.Gateway.Core.Chat;

/// <summary>A function the model may call, with its parameters as a JSON schema.</summary>
public sealed record ChatToolDefinition
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The JSON schema of the arguments object; null means no parameters.</summary>
    public JsonElement? ParametersSchema { get; init; }

    /// <summary>OpenAI's strict schema adherence flag; other providers ignore it.</summary>
    public bool? Strict { get; init; }
}
