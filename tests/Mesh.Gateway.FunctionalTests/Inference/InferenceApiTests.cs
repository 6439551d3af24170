using Xunit;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Inference;

public sealed class InferenceApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<GenerateChunk>> ReadAll(AsyncServerStreamingCall<GenerateChunk> call)
    {
        var chunks = new List<GenerateChunk>();
        while (await call.ResponseStream.MoveNext(Ct))
        {
            chunks.Add(call.ResponseStream.Current);
        }

        return chunks;
    }

    [Fact]
    public async Task Generate_DefaultConfiguration_MockAnswersWithUsage()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();

        var response = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("mock"), cancellationToken: Ct);

        Assert.NotEmpty(response.Text);
        Assert.Equal("mock", response.Provider);
        Assert.True(response.Usage.InputTokens > 0);
        Assert.True(response.Usage.OutputTokens > 0);
        Assert.Equal(FinishReason.Stop, response.FinishReason);
        Assert.Equal(1, response.Attempts);
    }

    [Fact]
    public async Task GenerateStream_DefaultConfiguration_DeltasThenFinalChunkWithUsage()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();
        var unary = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("mock"), cancellationToken: Ct);

        using var call = sidecar.Client.GenerateStream(InferenceSidecar.Ask("mock"), cancellationToken: Ct);
        var chunks = await ReadAll(call);

        Assert.True(chunks.Count >= 2);
        Assert.Equal(unary.Text, string.Concat(chunks.Select(static c => c.Text)));
        var final = chunks[^1];
        Assert.Equal(FinishReason.Stop, final.FinishReason);
        Assert.Equal(unary.Usage.OutputTokens, final.Usage.OutputTokens);
        Assert.NotNull(final.TimeToFirstToken);
        Assert.All(chunks[..^1], static c => Assert.Null(c.Usage));
    }

    [Fact]
    public async Task ListModels_DefaultConfiguration_ListsMock()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();

        var models = await sidecar.Client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);

        var mock = Assert.Single(models.Models);
        Assert.Equal("mock", mock.Name);
        Assert.Equal("mock", Assert.Single(mock.Targets).Provider);
    }

    [Fact]
    public async Task ListModels_TenantsConfigured_AuthenticatesAndListsOnlyTheTenantsModels()
    {
        const string keyA = "mesh-list-key-a";
        const string keyB = "mesh-list-key-b";
        await using var sidecar = await InferenceSidecar.StartAsync(
            "providers:\n  - { name: mock, kind: mock }\nmodels:\n"
            + "  - { name: chat-fast, targets: [ { provider: mock, model: m1 } ] }\n"
            + "  - { name: chat-big, targets: [ { provider: mock, model: m2 } ] }\n"
            + "  - { name: embed, targets: [ { provider: mock, model: m3 } ] }\n"
            + $"tenants:\n  - {{ id: team-a, api_keys: [\"{Tenancy.Authentication.ApiKeyHash.Format(keyA)}\"], models: [\"chat-*\"] }}\n"
            + $"  - {{ id: team-b, api_keys: [\"{Tenancy.Authentication.ApiKeyHash.Format(keyB)}\"], models: [embed] }}\n");

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct).ResponseAsync);
        var teamA = await sidecar.Client.ListModelsAsync(new ListModelsRequest(), new Metadata { { "authorization", "Bearer " + keyA } }, cancellationToken: Ct);
        var teamB = await sidecar.Client.ListModelsAsync(new ListModelsRequest(), new Metadata { { "authorization", "Bearer " + keyB } }, cancellationToken: Ct);

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(["chat-big", "chat-fast"], teamA.Models.Select(static m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["embed"], teamB.Models.Select(static m => m.Name));
    }

    [Fact]
    public async Task Generate_UnknownModel_NotFoundNamingTheModel()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("gpt-9000"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("'gpt-9000'", ex.Status.Detail, StringComparison.Ordinal);
        var info = InferenceSidecar.Info(ex);
        Assert.Equal("MODEL_NOT_FOUND", info.Reason);
        Assert.Equal("mesh.gateway", info.Domain);
        Assert.Equal("gpt-9000", info.Metadata["model"]);
    }

    [Fact]
    public async Task Generate_NoMessages_InvalidArgumentNamingTheField()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(new GenerateRequest { Model = "mock" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("messages:", ex.Status.Detail, StringComparison.Ordinal);
        var badRequest = InferenceSidecar.Details(ex).Details.Single(static d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>();
        Assert.Equal("messages", Assert.Single(badRequest.FieldViolations).Field);
    }

    [Fact]
    public async Task GenerateStream_UnknownRole_InvalidArgumentNamingTheField()
    {
        await using var sidecar = await InferenceSidecar.StartAsync();
        var request = InferenceSidecar.Ask("mock");
        request.Messages.Add(new V1.Message { Role = (Role)42, Content = { new ContentPart { Text = "?" } } });

        using var call = sidecar.Client.GenerateStream(request, cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => ReadAll(call));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("messages[1].role:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ProviderBadRequest_InvalidArgumentWithTheProvidersMessage()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Enqueue(FakeResponse.BadRequest("max_tokens is too large: 999999"));
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(fake.BaseUrl) + "models:\n  - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ] }\n");

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("max_tokens is too large: 999999", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("PROVIDER_INVALID_REQUEST", InferenceSidecar.Info(ex).Reason);
    }

    [Fact]
    public async Task Generate_ProviderRedirects_NotFollowedAndThePromptStaysHome()
    {
        // A provider URL that answers 307 to another host must not get the prompt resent there (the body is replayed on a
        // 307/308): the call fails as the provider's error, and the other host sees nothing.
        await using var provider = await FakeProviderServer.StartAsync(Ct);
        await using var elsewhere = await FakeProviderServer.StartAsync(Ct);
        elsewhere.Default = FakeResponse.OpenAIChat("answered by the host the redirect pointed at");
        provider.Default = new FakeResponse
        {
            Status = 307,
            Headers = new Dictionary<string, string> { ["location"] = new Uri(elsewhere.BaseUrl, "v1/chat/completions").ToString() },
        };
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(provider.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ], retry: { max_retries: 0 } }\n");

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, ex.StatusCode);
        Assert.Equal(1, provider.RequestCount);
        Assert.Equal(0, elsewhere.RequestCount);
    }

    [Fact]
    public async Task Generate_RateLimitedWithRetryAfter_ResourceExhaustedWithRetryInfo()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Default = FakeResponse.RateLimited(TimeSpan.FromSeconds(30));
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(fake.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ], retry: { max_retries: 2, max_delay_ms: 1000 } }\n");

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        var retry = InferenceSidecar.Details(ex).Details.Single(static d => d.Is(RetryInfo.Descriptor)).Unpack<RetryInfo>();
        Assert.Equal(TimeSpan.FromSeconds(30), retry.RetryDelay.ToTimeSpan());
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task Generate_RateLimitedShortRetryAfter_RetriedAndServed()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Enqueue(FakeResponse.RateLimited(TimeSpan.FromSeconds(1)), FakeResponse.OpenAIChat("after the wait"));
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(fake.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ], retry: { max_retries: 1, base_delay_ms: 1, max_delay_ms: 2000 } }\n");
        var started = TimeProvider.System.GetTimestamp();

        var response = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);

        Assert.Equal("after the wait", response.Text);
        Assert.Equal(2, response.Attempts);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(1), "Retry-After must be honoured");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(529)]
    public async Task Generate_PrimaryFails_FallbackServesAndIsReported(int status)
    {
        await using var primary = await FakeProviderServer.StartAsync(Ct);
        await using var fallback = await FakeProviderServer.StartAsync(Ct);
        primary.Default = status == 529 ? FakeResponse.Overloaded() : FakeResponse.ServerError();
        fallback.Default = FakeResponse.OpenAIChat("from the fallback", model: "llama3.1");
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(primary.BaseUrl, fallback.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ], fallbacks: [ { provider: p1, model: llama3.1 } ], retry: { max_retries: 0 } }\n");

        var response = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct);

        Assert.Equal("from the fallback", response.Text);
        Assert.Equal("p1", response.Provider);
        Assert.Equal("llama3.1", response.ProviderModel);
        Assert.Equal(2, response.Attempts);
    }

    [Fact]
    public async Task GenerateStream_SlowFirstToken_TimesOutThenFallsBack()
    {
        await using var primary = await FakeProviderServer.StartAsync(Ct);
        await using var fallback = await FakeProviderServer.StartAsync(Ct);
        primary.Default = FakeResponse.OpenAIChatStream(["too ", "late"]) with { FirstByteDelay = TimeSpan.FromSeconds(20) };
        fallback.Default = FakeResponse.OpenAIChatStream(["quick ", "answer"]);
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(primary.BaseUrl, fallback.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: a } ], fallbacks: [ { provider: p1, model: b } ], retry: { max_retries: 0 }, timeouts: { first_token_ms: 300 } }\n");

        using var call = sidecar.Client.GenerateStream(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
        var chunks = await ReadAll(call);

        Assert.Equal("quick answer", string.Concat(chunks.Select(static c => c.Text)));
        Assert.Equal("p1", chunks[0].Provider);
        Assert.Equal(2, chunks[^1].Attempts);
    }

    [Fact]
    public async Task GenerateStream_DisconnectMidStream_ErrorStatusAfterTheTextAndNoRetry()
    {
        await using var primary = await FakeProviderServer.StartAsync(Ct);
        await using var fallback = await FakeProviderServer.StartAsync(Ct);
        var full = FakeResponse.OpenAIChatStream(["Hello", " there", " friend", " and", " more"]);
        primary.Default = full.DisconnectAfter(full.BodyText.IndexOf("friend", StringComparison.Ordinal));
        fallback.Default = FakeResponse.OpenAIChatStream(["never"]);
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(primary.BaseUrl, fallback.BaseUrl)
            + "models:\n  - { name: chat, targets: [ { provider: p0, model: a } ], fallbacks: [ { provider: p1, model: b } ], retry: { max_retries: 2 } }\n");

        using var call = sidecar.Client.GenerateStream(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
        var received = new List<GenerateChunk>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
                received.Add(call.ResponseStream.Current);
            }
        });

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("incomplete", ex.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("Hello", string.Concat(received.Select(static c => c.Text)), StringComparison.Ordinal);
        Assert.Equal(1, primary.RequestCount);
        Assert.Equal(0, fallback.RequestCount);
    }

    [Fact]
    public async Task Generate_BrokenJson_InternalWithAClearMessage()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Default = FakeResponse.BrokenJson();
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(fake.BaseUrl) + "models:\n  - { name: chat, targets: [ { provider: p0, model: m } ] }\n");

        var ex = await Assert.ThrowsAsync<RpcException>(() => sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("malformed response", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateStream_BrokenSseLine_ErrorStatusNotATruncation()
    {
        await using var fake = await FakeProviderServer.StartAsync(Ct);
        fake.Default = FakeResponse.BrokenSseLine();
        await using var sidecar = await InferenceSidecar.StartAsync(InferenceSidecar.Providers(fake.BaseUrl) + "models:\n  - { name: chat, targets: [ { provider: p0, model: m } ] }\n");

        using var call = sidecar.Client.GenerateStream(InferenceSidecar.Ask("chat"), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => ReadAll(call));

        Assert.Contains(ex.StatusCode, new[] { StatusCode.Internal, StatusCode.Unavailable });
        Assert.Equal("PROVIDER_MALFORMED_RESPONSE", InferenceSidecar.Info(ex).Reason);
    }

    [Fact]
    public void Start_InvalidModels_FailsNamingTheKey()
    {
        var ex = Assert.ThrowsAny<Exception>(() => Mesh.Gateway.Sidecar.GatewayHost.Build(new Mesh.Gateway.Sidecar.SidecarStartOptions
        {
            ConfigYaml = "models:\n  - { name: chat, targets: [ { provider: nope, model: x } ] }\n",
            GrpcAddress = "127.0.0.1:0",
            AdminAddress = "127.0.0.1:0",
            Environment = static _ => null,
            ReloadOnChange = false,
        }));

        Assert.Contains("models[0].targets[0].provider: unknown provider 'nope'", ex.ToString(), StringComparison.Ordinal);
    }
}
