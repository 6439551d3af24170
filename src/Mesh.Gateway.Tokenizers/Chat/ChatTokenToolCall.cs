namespace Mesh.Gateway.Tokenizers;

/// <summary>A function call made by an assistant message.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Arguments">The arguments, as the JSON text the model wrote.</param>
public sealed record ChatTokenToolCall(string Name, string Arguments);
