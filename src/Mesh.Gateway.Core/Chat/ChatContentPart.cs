namespace Mesh.Gateway.Core.Chat;

/// <summary>One part of a message's multi-part content: text, an image, or replayed reasoning.</summary>
public abstract record ChatContentPart;
