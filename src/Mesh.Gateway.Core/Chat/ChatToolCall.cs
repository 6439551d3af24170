namespace Mesh.Gateway.Core.Chat;

/// <summary>A complete tool call: the id the provider gave it, the function name and its JSON arguments as text.</summary>
public sealed record ChatToolCall(string Id, string Name, string ArgumentsJson);
