using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Http;

/// <summary>Upstream failures reach the caller as error values with their kind, never as silent truncation.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private static readonly ChatRequest Request = new() { Model = "chat", Messages = [ChatMessage.User("Hello!")] };
    private static readonly ProviderTarget Target = new("openai", "gpt-4o-mini");
    private FakeProviderServer _server = null!;
    private IChatProvider _provider = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);
        _provider = TestProviders.Create(_server, "openai");
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteAsync_429WithRetryAfter_RateLimitedRetryableWithDelay()
    {
        _server.Enqueue(FakeResponse.RateLimited(TimeSpan.FromSeconds(7)));

        var result = await _provider.CompleteAsync(Request, Target, Ct);

        Assert.Equal(ProviderErrorKind.RateLimited, result.Error!.Kind);
        Assert.Equal(429, result.Error.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Error.RetryAfter);
        Assert.True(result.Error.IsRetryable);
        Assert.Equal("Rate limit reached for requests", result.Error.Message);
    }

    [Fact]
    public async Task StreamAsync_500_ServerErrorAsFirstItem()
    {
        _server.Enqueue(FakeResponse.ServerError());

        var (chunks, error) = await TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, Ct));

        Assert.Empty(chunks);
        Assert.Equal(ProviderErrorKind.Server, error!.Kind);
        Assert.Equal(500, error.HttpStatus);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task CompleteAsync_529_Overloaded()
    {
        _server.Enqueue(FakeResponse.Overloaded());

        var result = await _provider.CompleteAsync(Request, Target, Ct);

        Assert.Equal(ProviderErrorKind.Overloaded, result.Error!.Kind);
        Assert.Equal("Overloaded", result.Error.Message);
        Assert.True(result.Error.IsRetryable);
    }

    [Fact]
    public async Task CompleteAsync_400_CarriesProviderMessage()
    {
        _server.Enqueue(FakeResponse.BadRequest("Invalid value for 'temperature': must be <= 2."));

        var result = await _provider.CompleteAsync(Request, Target, Ct);

        Assert.Equal(ProviderErrorKind.InvalidRequest, result.Error!.Kind);
        Assert.Equal("Invalid value for 'temperature': must be <= 2.", result.Error.Message);
        Assert.Equal("invalid_request_error", result.Error.ProviderErrorType);
        Assert.False(result.Error.IsRetryable);
    }

    [Fact]
    public async Task CompleteAsync_BrokenJson_MalformedResponse()
    {
        _server.Enqueue(FakeResponse.BrokenJson());

        var result = await _provider.CompleteAsync(Request, Target, Ct);

        Assert.Equal(ProviderErrorKind.MalformedResponse, result.Error!.Kind);
        Assert.Contains("invalid JSON", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_BrokenSseLine_TextSoFarThenMalformedError()
    {
        _server.Enqueue(FakeResponse.BrokenSseLine());

        var (chunks, error) = await TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, Ct));

        Assert.Equal("Hi", TestProviders.Accumulate(chunks).Text);
        Assert.Equal(ProviderErrorKind.MalformedResponse, error!.Kind);
        Assert.Contains("dat@ {\"broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_BrokenJsonEvent_MalformedError()
    {
        _server.Enqueue(FakeResponse.BrokenJsonInStream());

        var (chunks, error) = await TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, Ct));

        Assert.Single(chunks);
        Assert.Equal(ProviderErrorKind.MalformedResponse, error!.Kind);
        Assert.Contains("invalid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_DisconnectMidStream_ConnectionErrorAfterChunks()
    {
        var full = FakeResponse.OpenAIChatStream(["Once ", "upon ", "a ", "time"]);
        _server.Enqueue(full.DisconnectAfter(full.Body.Length / 2));

        var (chunks, error) = await TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, Ct));

        Assert.NotEmpty(chunks);
        Assert.NotNull(error);
        Assert.Equal(ProviderErrorKind.Connection, error.Kind);
    }

    [Fact]
    public async Task StreamAsync_SlowFirstByte_RequestTimeoutGivesTimeout()
    {
        var provider = TestProviders.Create(_server, "openai", configure: o => o.RequestTimeoutMs = 200);
        _server.Enqueue(FakeResponse.OpenAIChatStream(["late"]).WithFirstByteDelay(TimeSpan.FromSeconds(30)));

        var (chunks, error) = await TestProviders.CollectAsync(provider.StreamAsync(Request, Target, Ct));

        Assert.Empty(chunks);
        Assert.Equal(ProviderErrorKind.Timeout, error!.Kind);
    }

    [Fact]
    public async Task StreamAsync_CallerCancels_ThrowsAndUpstreamSeesAbort()
    {
        _server.Enqueue(FakeResponse.OpenAIChatStream(["a", "b"]).WithFirstByteDelay(TimeSpan.FromSeconds(30)));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, cts.Token)));
    }

    [Fact]
    public async Task StreamAsync_ConnectionRefused_ConnectionErrorBeforeFirstChunk()
    {
        var port = _server.BaseUrl.Port;
        await _server.DisposeAsync();
        _server = await FakeProviderServer.StartAsync(Ct);
        var provider = TestProviders.Create(_server, "openai", configure: o => o.BaseUrl = $"http://127.0.0.1:{port}/v1");

        var (chunks, error) = await TestProviders.CollectAsync(provider.StreamAsync(Request, Target, Ct));

        Assert.Empty(chunks);
        Assert.Equal(ProviderErrorKind.Connection, error!.Kind);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task StreamAsync_SynthesisedStreamSplitRandomly_SameTextAndUsage()
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            _server.Enqueue(FakeResponse.OpenAIChatStream(["Hel", "lo, ", "wörld ", "😀"], 11, 4).SplitRandomly(seed, maxChunkSize: 5));

            var (chunks, error) = await TestProviders.CollectAsync(_provider.StreamAsync(Request, Target, Ct));

            Assert.Null(error);
            var response = TestProviders.Accumulate(chunks);
            Assert.Equal("Hello, wörld 😀", response.Text);
            Assert.Equal(new ChatUsage { InputTokens = 11, OutputTokens = 4 }, response.Usage);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        }

        var sent = _server.Requests[0];
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("Bearer test-key", sent.Header("Authorization"));
        Assert.Contains("\"include_usage\":true", sent.BodyText, StringComparison.Ordinal);
    }
}
