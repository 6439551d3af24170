namespace Mesh.Gateway.Providers.Http;

/// <summary>No credentials (local OpenAI-compatible servers such as Ollama or vLLM).</summary>
internal sealed class NoAuth : IProviderAuth
{
    public static readonly NoAuth Instance = new();

    public ValueTask ApplyAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
