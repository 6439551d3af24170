namespace Mesh.Gateway.Core.Providers;

/// <summary>What a chat provider can honour beyond the common chat contract.</summary>
[Flags]
public enum ChatProviderFeatures
{
    /// <summary>The common contract only.</summary>
    None = 0,

    /// <summary>Continues a response stored at the provider (<see cref="Chat.ChatRequest.PreviousResponseId"/>).</summary>
    StoredResponses = 1,

    /// <summary>Runs the provider's own tools (<see cref="Chat.ChatRequest.BuiltInTools"/>).</summary>
    BuiltInTools = 2,
}
