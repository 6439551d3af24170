using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Tests.Fakes;
using Polly.CircuitBreaker;
using static Mesh.Gateway.Core.Tests.Routing.RouterHarness;

namespace Mesh.Gateway.Core.Tests.Routing;

public sealed class InferenceRouterTests
{
    [Fact]
    public async Task HandleAsync_UnknownModel_NotFoundNamingTheModel()
    {
        var primary = new ScriptedProvider("a");
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")]), null, primary);

        var result = await harness.Router.HandleAsync(harness.Context("nope", streaming: false), TestContext.Current.CancellationToken);

        Assert.Equal(GatewayErrorCode.NotFound, result.Error!.Code);
        Assert.Contains("'nope'", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(GatewayErrorReasons.ModelNotFound, result.Error.Reason);
        Assert.Empty(primary.Calls);
    }

    [Fact]
    public async Task HandleAsync_ProviderSlashModel_RoutesDirectly()
    {
        var primary = new ScriptedProvider("a").Then(Step.Text("direct"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")]), null, primary);
        var context = harness.Context("a/some-model", streaming: false);

        var result = await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal("direct", result.Response!.Text);
        Assert.Equal("some-model", Assert.Single(primary.Calls).Model);
    }

    [Fact]
    public async Task Complete_PreviousResponseId_TargetsWithoutStoredResponsesSkippedFallbackThatHasThemServes()
    {
        var chat = new ScriptedProvider("a").Then(Step.Text("stateless"));
        var responses = new ScriptedProvider("b") { Features = ChatProviderFeatures.StoredResponses | ChatProviderFeatures.BuiltInTools }.Then(Step.Text("continued"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")]), null, chat, responses);
        var context = harness.Context("chat", streaming: false);
        context.ChatRequest = context.ChatRequest! with { PreviousResponseId = "resp_1" };

        var result = await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal("continued", result.Response!.Text);
        Assert.Empty(chat.Calls);
        Assert.True(harness.Router.CanHonour("chat", ChatProviderFeatures.StoredResponses));
    }

    [Fact]
    public async Task Complete_BuiltInToolWithoutATargetThatHasThem_InvalidArgumentNamingToolsNothingCalled()
    {
        var chat = new ScriptedProvider("a").Then(Step.Text("never"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")]), null, chat);
        var context = harness.Context("chat", streaming: true);
        using var tool = System.Text.Json.JsonDocument.Parse("{\"type\":\"web_search\"}");
        context.ChatRequest = context.ChatRequest! with { BuiltInTools = [tool.RootElement.Clone()] };

        var result = await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal(GatewayErrorCode.InvalidArgument, result.Error!.Code);
        Assert.Equal("tools", result.Error.Field);
        Assert.Empty(chat.Calls);
        Assert.False(harness.Router.CanHonour("chat", ChatProviderFeatures.BuiltInTools));
    }

    [Fact]
    public async Task Complete_ServerErrorThenFallback_FallbackServesAndIsReported()
    {
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.Server, 500));
        var fallback = new ScriptedProvider("b", ProviderKind.Anthropic).Then(Step.Text("from b"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")]), null, primary, fallback);
        var context = harness.Context("chat", streaming: false);

        var result = await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal("from b", result.Response!.Text);
        Assert.Equal(new ServedTarget("b", ProviderKind.Anthropic, "m2", IsFallback: true), context.ServedTarget);
        Assert.Equal(2, context.Attempts);
        Assert.Single(primary.Calls);
    }

    [Fact]
    public async Task Stream_OverloadedThenFallback_FallbackStreams()
    {
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.Overloaded, 529));
        var fallback = new ScriptedProvider("b").Then(Step.Text("ok"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")]), null, primary, fallback);
        var context = harness.Context("chat", streaming: true);

        var (chunks, error) = await harness.StreamAsync(context, TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.Equal("ok", string.Concat(chunks.Select(static c => c.TextDelta)));
        Assert.Equal("b", context.ServedTarget!.Provider);
        Assert.Equal(5, context.Usage!.TotalTokens);
    }

    [Fact]
    public async Task Complete_RateLimitedWithRetryAfter_WaitsAtLeastRetryAfterThenRetriesSameTarget()
    {
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.RateLimited, 429, TimeSpan.FromSeconds(2)), Step.Text("later"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], maxRetries: 1, baseDelayMs: 10), null, primary);
        var context = harness.Context("chat", streaming: false);

        var call = harness.Router.HandleAsync(context, TestContext.Current.CancellationToken).AsTask();
        await harness.Time.WaitForTimerAsync(static due => due == TimeSpan.FromSeconds(2));
        harness.Time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Single(primary.Calls);
        Assert.False(call.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await call;

        Assert.Equal("later", result.Response!.Text);
        Assert.Equal(2, primary.Calls.Count);
        Assert.Equal(2, context.Attempts);
    }

    [Fact]
    public async Task Complete_RateLimitedLongerThanMaxDelay_GivesUpWithRetryInfo()
    {
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.RateLimited, 429, TimeSpan.FromSeconds(60), "slow down"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], maxRetries: 2, maxDelayMs: 5_000), null, primary);

        var result = await harness.Router.HandleAsync(harness.Context("chat", streaming: false), TestContext.Current.CancellationToken);

        Assert.Equal(GatewayErrorCode.ResourceExhausted, result.Error!.Code);
        Assert.Equal(TimeSpan.FromSeconds(60), result.Error.RetryAfter);
        Assert.Contains("slow down", result.Error.Message, StringComparison.Ordinal);
        Assert.Single(primary.Calls);
    }

    [Fact]
    public async Task Complete_ProviderBadRequest_InvalidArgumentWithProviderMessageAndNoFailover()
    {
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.InvalidRequest, 400, message: "max_tokens is too large"));
        var fallback = new ScriptedProvider("b").Then(Step.Text("never"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")], maxRetries: 2), null, primary, fallback);

        var result = await harness.Router.HandleAsync(harness.Context("chat", streaming: false), TestContext.Current.CancellationToken);

        Assert.Equal(GatewayErrorCode.InvalidArgument, result.Error!.Code);
        Assert.Contains("max_tokens is too large", result.Error.Message, StringComparison.Ordinal);
        Assert.Single(primary.Calls);
        Assert.Empty(fallback.Calls);
    }

    [Fact]
    public async Task Stream_SlowFirstToken_TimesOutThenFallsBack()
    {
        var primary = new ScriptedProvider("a").Then(new Step { Hang = true });
        var fallback = new ScriptedProvider("b").Then(Step.Text("fast"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")], firstTokenMs: 1_000), null, primary, fallback);
        var context = harness.Context("chat", streaming: true);

        var call = harness.StreamAsync(context, TestContext.Current.CancellationToken);
        await harness.Time.WaitForTimerAsync(static due => due == TimeSpan.FromSeconds(1));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var (chunks, error) = await call;

        Assert.Null(error);
        Assert.Equal("fast", string.Concat(chunks.Select(static c => c.TextDelta)));
        Assert.True(Assert.Single(primary.Calls).Token.IsCancellationRequested, "the slow upstream call must be cancelled");
        Assert.Equal("b", context.ServedTarget!.Provider);
    }

    [Fact]
    public async Task Stream_SlowFirstTokenEverywhere_DeadlineExceededNamingFirstToken()
    {
        var primary = new ScriptedProvider("a").Then(new Step { Hang = true });
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], firstTokenMs: 500), null, primary);

        var call = harness.StreamAsync(harness.Context("chat", streaming: true), TestContext.Current.CancellationToken);
        await harness.Time.WaitForTimerAsync(static due => due == TimeSpan.FromMilliseconds(500));
        harness.Time.Advance(TimeSpan.FromMilliseconds(500));
        var (_, error) = await call;

        Assert.Equal(GatewayErrorCode.DeadlineExceeded, error!.Code);
        Assert.Equal(GatewayErrorReasons.FirstTokenTimeout, error.Reason);
    }

    [Fact]
    public async Task Stream_DisconnectAfterFirstToken_ErrorItemAndNoRetry()
    {
        var broken = new Step
        {
            Chunks = [new Core.Chat.ChatChunk { TextDelta = "Hel" }],
            ErrorAfterChunks = ProviderError.Create(ProviderErrorKind.Connection, "connection reset"),
        };
        var primary = new ScriptedProvider("a").Then(broken);
        var fallback = new ScriptedProvider("b").Then(Step.Text("never"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")], maxRetries: 3), null, primary, fallback);

        var (chunks, error) = await harness.StreamAsync(harness.Context("chat", streaming: true), TestContext.Current.CancellationToken);

        Assert.Equal("Hel", Assert.Single(chunks).TextDelta);
        Assert.Equal(GatewayErrorCode.Unavailable, error!.Code);
        Assert.Equal(GatewayErrorReasons.StreamInterrupted, error.Reason);
        Assert.Contains("incomplete", error.Message, StringComparison.Ordinal);
        Assert.Single(primary.Calls);
        Assert.Empty(fallback.Calls);
    }

    [Fact]
    public async Task Stream_ErrorBeforeAnyOutput_AfterContentlessChunk_StillFailsOver()
    {
        var roleOnly = new Step
        {
            Chunks = [new Core.Chat.ChatChunk { Id = "x", Model = "m1" }],
            ErrorAfterChunks = ProviderError.Create(ProviderErrorKind.Server, "boom", 500),
        };
        var primary = new ScriptedProvider("a").Then(roleOnly);
        var fallback = new ScriptedProvider("b").Then(Step.Text("saved"));
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")]), null, primary, fallback);

        var (chunks, error) = await harness.StreamAsync(harness.Context("chat", streaming: true), TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.Equal("saved", string.Concat(chunks.Select(static c => c.TextDelta)));
    }

    [Fact]
    public async Task Stream_ClientCancels_UpstreamTokenCancelledAtOnce()
    {
        var primary = new ScriptedProvider("a").Then(new Step { Chunks = [new Core.Chat.ChatChunk { TextDelta = "a" }], HangAfterChunks = true });
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")]), null, primary);
        using var client = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var result = await harness.Router.HandleAsync(harness.Context("chat", streaming: true), client.Token);
        var enumerator = result.Stream!.GetAsyncEnumerator(client.Token);
        Assert.True(await enumerator.MoveNextAsync());

        var next = enumerator.MoveNextAsync().AsTask();
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        Assert.True(Assert.Single(primary.Calls).Token.IsCancellationRequested);
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task Complete_Weights_SplitTrafficByWeight()
    {
        var a = new ScriptedProvider("a") { Default = Step.Text("a") };
        var b = new ScriptedProvider("b") { Default = Step.Text("b") };
        var random = new Random(1234);
        var harness = new RouterHarness(Model("chat", [Target("a", "m1", 90), Target("b", "m2", 10)]), random.NextDouble, a, b);

        for (var i = 0; i < 2_000; i++)
        {
            await harness.Router.HandleAsync(harness.Context("chat", streaming: false), TestContext.Current.CancellationToken);
        }

        // 90/10 of 2000: binomial standard deviation ~13, so 1800 +- 60 is over 4 sigma.
        Assert.InRange(a.Calls.Count, 1740, 1860);
        Assert.Equal(2_000, a.Calls.Count + b.Calls.Count);
    }

    [Fact]
    public async Task Complete_ZeroWeightTarget_NeverPicked()
    {
        var a = new ScriptedProvider("a") { Default = Step.Text("a") };
        var b = new ScriptedProvider("b") { Default = Step.Text("b") };
        var random = new Random(7);
        var harness = new RouterHarness(Model("chat", [Target("a", "m1", 0), Target("b", "m2", 5)]), random.NextDouble, a, b);

        for (var i = 0; i < 200; i++)
        {
            await harness.Router.HandleAsync(harness.Context("chat", streaming: false), TestContext.Current.CancellationToken);
        }

        Assert.Empty(a.Calls);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterFailures_SkipsTarget_ClosesAfterBreakDuration()
    {
        var breaker = new RouteCircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, SamplingDurationMs = 10_000, BreakDurationMs = 5_000 };
        var primary = new ScriptedProvider("a").Then(Step.Fail(ProviderErrorKind.Server, 500), Step.Fail(ProviderErrorKind.Server, 500), Step.Text("recovered"));
        var fallback = new ScriptedProvider("b") { Default = Step.Text("fallback") };
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], [Target("b", "m2")], breaker: breaker), null, primary, fallback);
        var target = harness.Table.Routes[0].Targets[0];
        var ct = TestContext.Current.CancellationToken;

        await harness.Router.HandleAsync(harness.Context("chat", false), ct);
        await harness.Router.HandleAsync(harness.Context("chat", false), ct);
        Assert.Equal(CircuitState.Open, harness.Breakers.GetState(target, breaker));

        var whileOpen = await harness.Router.HandleAsync(harness.Context("chat", false), ct);
        Assert.Equal("fallback", whileOpen.Response!.Text);
        Assert.Equal(2, primary.Calls.Count);

        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var probe = await harness.Router.HandleAsync(harness.Context("chat", false), ct);
        Assert.Equal("recovered", probe.Response!.Text);
        Assert.Equal(CircuitState.Closed, harness.Breakers.GetState(target, breaker));
    }

    [Fact]
    public async Task CircuitBreaker_BadRequests_DoNotOpenIt()
    {
        var breaker = new RouteCircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, SamplingDurationMs = 10_000, BreakDurationMs = 5_000 };
        var primary = new ScriptedProvider("a") { Default = Step.Fail(ProviderErrorKind.InvalidRequest, 400) };
        var harness = new RouterHarness(Model("chat", [Target("a", "m1")], breaker: breaker), null, primary);

        for (var i = 0; i < 5; i++)
        {
            await harness.Router.HandleAsync(harness.Context("chat", false), TestContext.Current.CancellationToken);
        }

        Assert.Equal(CircuitState.Closed, harness.Breakers.GetState(harness.Table.Routes[0].Targets[0], breaker));
        Assert.Equal(5, primary.Calls.Count);
    }

    [Fact]
    public async Task Complete_UsageAndPrice_CostReported()
    {
        var primary = new ScriptedProvider("a").Then(Step.Text("x", input: 1_000_000, output: 500_000));
        var models = Model("chat", [new RouteTargetOptions { Provider = "a", Model = "m1", InputCostPerMillion = 0.15m, OutputCostPerMillion = 0.6m }]);
        var harness = new RouterHarness(models, null, primary);
        var context = harness.Context("chat", streaming: false);

        await harness.Router.HandleAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal(0.15m, context.Cost!.Input);
        Assert.Equal(0.30m, context.Cost.Output);
        Assert.Equal("USD", context.Cost.Currency);
    }
}
