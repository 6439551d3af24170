namespace Mesh.Gateway.Core.Chat;

/// <summary>Reasoning an assistant produced earlier, replayed in a later turn (Anthropic thinking blocks need their signature back).</summary>
public sealed record ReasoningContentPart(string Text, string? Signature = null) : ChatContentPart;
