using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tokenizers;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Limits;

/// <summary>What the limits step charges a call whose provider reported no usage, for the endings a real router cannot easily
/// be made to produce in a functional test (a guardrail cut, a reasoning model cancelled, a provider that refused).</summary>
public sealed class LimitsStepChargingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_GuardrailEndsItAfterTwoChunks_ChargedPromptPlusDeliveredAsGuardrailCut()
    {
        var (record, request) = await RunStreamAsync("gpt-4o-mini", ["Hello ", "there "], new GatewayError { Code = GatewayErrorCode.PermissionDenied, Reason = GatewayErrorReasons.Blocked, Message = "blocked" });

        Assert.Equal(("error", false, "guardrail_cut", false), (record.Status, record.ProviderReported, record.UnreportedReason, record.TokensEstimated));
        Assert.Equal(Prompt(request), record.InputTokens);
        Assert.Equal(TokenCounter.Default.CountText("gpt-4o-mini", "Hello there ").Tokens, record.OutputTokens);
    }

    [Fact]
    public async Task Stream_ModerationCutByTheResponseGuardrails_ChargedDeliveredAsGuardrailCutWithTheAction()
    {
        // What ResponseGuardrailsStep does on a cut: records the action, ends with a content_filter finish, stops reading upstream.
        var ledger = new CapturingLedger();
        var store = new InProcessCounterStore(TimeProvider.System);
        var limiter = new MeshLimiter(new LimitsOptions { Tenants = [new TenantOptions { Id = "acme", Limits = new TenantLimitsOptions { TokensPerMinute = 1_000_000 } }] }, store, store, TimeProvider.System);
        var pipeline = new InferencePipelineBuilder()
            .Use((context, next, ct) =>
            {
                context.Identity = new CallIdentity("acme", "key-1", CallIdentity.ApiKey);
                return next(context, ct);
            })
            .AddStep(new LimitsStep(limiter, ledger, new ConservativePromptTokenEstimator(), TimeProvider.System, TokenCounter.Default))
            .Build((context, _) =>
            {
                context.Attempts = 1;
                context.ServedTarget = new ServedTarget("p0", ProviderKind.OpenAI, "gpt-4o-mini", IsFallback: false);
                return ValueTask.FromResult(InferenceResult.FromStream(CutStream(context)));
            });
        var call = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User("What is the plan?")] }, isStreaming: true, TimeProvider.System);

        await foreach (var _ in (await pipeline.ExecuteAsync(call, Ct)).Stream!)
        {
        }

        var record = Assert.Single(ledger.Records);
        Assert.Equal(("ok", false, "guardrail_cut"), (record.Status, record.ProviderReported, record.UnreportedReason));
        Assert.Equal(TokenCounter.Default.CountText("gpt-4o-mini", "Here is the plan. ").Tokens, record.OutputTokens);
        Assert.Equal([InferencePropertyKeys.CutResponse], record.GuardrailActions);
    }

    [Theory]
    [InlineData("acme", 1)]
    [InlineData("free", 0)]
    public async Task Unary_TenantWithAndWithoutLimits_PromptEstimatedOnlyWhereALimitCanCharge(string tenant, int estimates)
    {
        var ledger = new CapturingLedger();
        var store = new InProcessCounterStore(TimeProvider.System);
        var limiter = new MeshLimiter(new LimitsOptions { Tenants = [new TenantOptions { Id = "acme", Limits = new TenantLimitsOptions { TokensPerMinute = 1_000_000 } }] }, store, store, TimeProvider.System);
        var estimator = new CountingEstimator();
        var pipeline = new InferencePipelineBuilder()
            .Use((context, next, ct) =>
            {
                context.Identity = new CallIdentity(tenant, "key-1", CallIdentity.ApiKey);
                return next(context, ct);
            })
            .AddStep(new LimitsStep(limiter, ledger, estimator, TimeProvider.System, TokenCounter.Default))
            .Build((context, _) =>
            {
                context.Attempts = 1;
                context.ServedTarget = new ServedTarget("p0", ProviderKind.OpenAI, "gpt-4o-mini", IsFallback: false);
                context.Usage = new ChatUsage { InputTokens = 7, OutputTokens = 3 };
                return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "Hi.", Usage = context.Usage, Provider = "p0", Model = "gpt-4o-mini" }));
            });
        var call = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User("Say hello.")] }, isStreaming: false, TimeProvider.System);

        var result = await pipeline.ExecuteAsync(call, Ct);

        Assert.False(result.IsError);
        Assert.Equal(estimates, estimator.Calls);
        var record = Assert.Single(ledger.Records);
        Assert.Equal(("ok", 7, 3), (record.Status, record.InputTokens, record.OutputTokens));
    }

    private sealed class CountingEstimator : IPromptTokenEstimator
    {
        public int Calls { get; private set; }

        public long EstimateInputTokens(ChatRequest request)
        {
            Calls++;
            return 5;
        }
    }

    private static async IAsyncEnumerable<InferenceStreamItem> CutStream(InferenceContext context)
    {
        await Task.Yield();
        yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = "Here is the plan. " });
        context.Properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
        yield return InferenceStreamItem.FromChunk(new ChatChunk { FinishReason = ChatFinishReason.ContentFilter, ProviderFinishReason = "content_filter" });
    }

    [Fact]
    public async Task Stream_ProviderRefusedBeforeAnyOutput_NotCharged()
    {
        var (record, _) = await RunStreamAsync("gpt-4o-mini", [], new GatewayError { Code = GatewayErrorCode.Unavailable, Reason = GatewayErrorReasons.ProviderError, Message = "500" });

        Assert.Equal(("error", 0L, 0L, null), (record.Status, record.InputTokens, record.OutputTokens, record.UnreportedReason));
    }

    [Fact]
    public async Task Stream_ReasoningModelCancelledAfterOneChunk_ChargedAtLeastItsReservedOutput()
    {
        var (record, request) = await RunStreamAsync("gpt-5-nano", ["Hi"], error: null, readChunks: 1, maxOutputTokens: 500);

        Assert.Equal(("cancelled", false, "cancelled", true), (record.Status, record.ProviderReported, record.UnreportedReason, record.TokensEstimated));
        Assert.Equal(Prompt(request), record.InputTokens);
        Assert.Equal(500, record.OutputTokens);
        Assert.Equal(500 - TokenCounter.Default.CountText("gpt-5-nano", "Hi").Tokens, record.ReasoningTokens);
    }

    [Fact]
    public async Task Stream_ReportedUsageArrives_ReportedUsageWins()
    {
        var usage = new ChatUsage { InputTokens = 7, OutputTokens = 2 };
        var (record, _) = await RunStreamAsync("gpt-4o-mini", ["Hello "], error: null, finalUsage: usage);

        Assert.Equal(("ok", 7L, 2L, true, null), (record.Status, record.InputTokens, record.OutputTokens, record.ProviderReported, record.UnreportedReason));
    }

    private static int Prompt(ChatRequest request) =>
        TokenCounter.Default.CountChat(Mesh.Gateway.Core.Tokens.ChatTokenRequestMapper.ToTokenRequest(request, request.Model)).PromptTokens;

    private static async Task<(UsageRecord Record, ChatRequest Request)> RunStreamAsync(
        string model, string[] deltas, GatewayError? error, int? readChunks = null, int? maxOutputTokens = null, ChatUsage? finalUsage = null)
    {
        var ledger = new CapturingLedger();
        var store = new InProcessCounterStore(TimeProvider.System);
        var limiter = new MeshLimiter(new LimitsOptions { Tenants = [new TenantOptions { Id = "acme", Limits = new TenantLimitsOptions { TokensPerMinute = 1_000_000 } }] }, store, store, TimeProvider.System);
        var pipeline = new InferencePipelineBuilder()
            .Use((context, next, ct) =>
            {
                context.Identity = new CallIdentity("acme", "key-1", CallIdentity.ApiKey);
                return next(context, ct);
            })
            .AddStep(new LimitsStep(limiter, ledger, new ConservativePromptTokenEstimator(), TimeProvider.System, TokenCounter.Default))
            .Build((context, _) =>
            {
                // What the router does once it reaches the upstream: counts the attempt and names the target.
                context.Attempts = 1;
                context.ServedTarget = new ServedTarget("p0", ProviderKind.OpenAI, model, IsFallback: false);
                return ValueTask.FromResult(InferenceResult.FromStream(Chunks(context, deltas, error, finalUsage, CancellationToken.None)));
            });
        var request = new ChatRequest { Model = model, Messages = [ChatMessage.User("Tell me a story.")], MaxOutputTokens = maxOutputTokens };
        var call = InferenceContext.ForChat(request, isStreaming: true, TimeProvider.System);

        var result = await pipeline.ExecuteAsync(call, Ct);
        var read = 0;
        await foreach (var _ in result.Stream!)
        {
            if (++read == readChunks)
            {
                break; // the caller went away
            }
        }

        return (Assert.Single(ledger.Records), request);
    }

    private static async IAsyncEnumerable<InferenceStreamItem> Chunks(InferenceContext context, string[] deltas, GatewayError? error, ChatUsage? usage, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var delta in deltas)
        {
            await Task.Yield();
            yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = delta });
        }

        if (usage is not null)
        {
            context.Usage = usage;
            yield return InferenceStreamItem.FromChunk(new ChatChunk { Usage = usage });
        }

        if (error is not null)
        {
            yield return InferenceStreamItem.FromError(error);
        }

        _ = cancellationToken;
    }

    private sealed class CapturingLedger : IUsageLedger
    {
        public List<UsageRecord> Records { get; } = [];

        public ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            Records.Add(record);
            return ValueTask.CompletedTask;
        }
    }
}
