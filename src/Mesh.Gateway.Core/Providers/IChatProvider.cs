using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Providers;

/// <summary>A configured provider that generates chat completions, whole or streamed.</summary>
/// <remarks>Thread-safe; one instance serves all requests. Cancellation throws <see cref="OperationCanceledException"/> and aborts the upstream call at once.</remarks>
public interface IChatProvider
{
    /// <summary>The configured provider name.</summary>
    string Name { get; }

    ProviderKind Kind { get; }

    /// <summary>What the provider honours beyond the common contract (the router sends it nothing else).</summary>
    ChatProviderFeatures Features => ChatProviderFeatures.None;

    /// <summary>Generates a complete response; expected failures come back as <see cref="ProviderError"/> values.</summary>
    ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken);

    /// <summary>Streams the response; a failure before or inside the stream is the stream's last item (see <see cref="ProviderStreamItem"/>).</summary>
    IAsyncEnumerable<ProviderStreamItem> StreamAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken);
}
