namespace Mesh.Gateway.Tokenizers;

/// <summary>A <c>json_schema</c> response format.</summary>
/// <param name="Name">The schema's name.</param>
/// <param name="SchemaJson">The JSON schema as JSON text.</param>
public sealed record ChatTokenResponseFormat(string Name, string SchemaJson);
