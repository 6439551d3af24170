namespace Mesh.Gateway.Core.Chat;

/// <summary>Why the model stopped, unified across providers (the provider's own word is kept beside it).</summary>
public enum ChatFinishReason
{
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    Other,
}
