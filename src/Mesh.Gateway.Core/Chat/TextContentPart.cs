namespace Mesh.Gateway.Core.Chat;

/// <summary>A run of text.</summary>
public sealed record TextContentPart(string Text) : ChatContentPart;
