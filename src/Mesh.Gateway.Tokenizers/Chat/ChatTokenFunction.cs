namespace Mesh.Gateway.Tokenizers;

/// <summary>A function tool definition.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="ParametersJson">Its parameters' JSON schema as JSON text, if any.</param>
public sealed record ChatTokenFunction(string Name, string? Description = null, string? ParametersJson = null);
