using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Registry;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Providers.Tests.Support;

/// <summary>Builds real providers pointed at a <see cref="FakeProviderServer"/>.</summary>
internal static class TestProviders
{
    public static IChatProvider Create(FakeProviderServer server, string kind, string basePath = "v1", Action<ProviderOptionsBuilder>? configure = null)
    {
        var b = new ProviderOptionsBuilder { Name = kind, Kind = kind, BaseUrl = new Uri(server.BaseUrl, basePath).AbsoluteUri, ApiKey = "test-key" };
        configure?.Invoke(b);
        return ProviderFactory.Create(b.Build(), TimeProvider.System, NullLoggerFactory.Instance);
    }

    public static async Task<(List<ChatChunk> Chunks, ProviderError? Error)> CollectAsync(IAsyncEnumerable<ProviderStreamItem> stream)
    {
        var chunks = new List<ChatChunk>();
        await foreach (var item in stream)
        {
            if (item.IsError)
            {
                return (chunks, item.Error);
            }

            chunks.Add(item.Chunk);
        }

        return (chunks, null);
    }

    public static ChatResponse Accumulate(IEnumerable<ChatChunk> chunks, string provider = "p")
    {
        var acc = new ChatStreamAccumulator();
        foreach (var c in chunks)
        {
            acc.Add(c);
        }

        return acc.ToResponse(provider);
    }
}

internal sealed class ProviderOptionsBuilder
{
    public string Name { get; set; } = "p";

    public string Kind { get; set; } = "openai";

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiVersion { get; set; }

    public string? AuthMode { get; set; }

    public string? Api { get; set; }

    public string? Region { get; set; }

    public int RequestTimeoutMs { get; set; } = 600_000;

    public ProviderOptions Build() => new()
    {
        Name = Name,
        Kind = Kind,
        BaseUrl = BaseUrl,
        ApiKey = ApiKey,
        ApiVersion = ApiVersion,
        AuthMode = AuthMode,
        Api = Api,
        Region = Region,
        AccessKeyId = "AKIDEXAMPLE",
        SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        RequestTimeoutMs = RequestTimeoutMs,
    };
}
