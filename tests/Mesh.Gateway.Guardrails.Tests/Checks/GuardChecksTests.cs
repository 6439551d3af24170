using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Guardrails.Checks;
using Mesh.Gateway.Guardrails.Pipeline;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Guardrails.Tests.Checks;

/// <summary>The pluggable checks through the request guardrails and the checks step, each adapter against a fake service on
/// loopback (or a fake model route for the judge): enforce and audit, fail-open and fail-closed, timeouts; what the caller
/// sees, what goes to the ledger's guardrail actions and what the <c>run_guardrail</c> span says.</summary>
[Collection(nameof(GuardChecksTests))]
public sealed class GuardChecksTests : IAsyncLifetime
{
    private const string Prompt = "Please mail jane.roe@example.org the plan.";

    private readonly ConcurrentQueue<Activity> _spans = new();
    private ActivityListener? _listener;
    private FakeCheckService _service = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _service = await FakeCheckService.StartAsync();
        _listener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name == "Mesh.Gateway",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async ValueTask DisposeAsync()
    {
        _listener?.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task OpenAIModeration_Flagged_EnforceBlocksAndTheServiceSawOnlyRedactedText()
    {
        _service.Answer = """{"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":true,"categories":{"harassment":false,"violence":true},"category_scores":{"harassment":0.01,"violence":0.93}}]}""";
        var call = Chat();

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "openai_moderation", ["url"] = _service.BaseUrl + "v1", ["api_key"] = "sk-mod" });

        Assert.True(result.IsError);
        Assert.Equal("The request was blocked by the gateway's content policy (mod:violence).", result.Error.Message);
        Assert.False(upstreamCalled);
        var (path, authorization, body) = Assert.Single(_service.Requests);
        Assert.Equal("/v1/moderations", path);
        Assert.Equal("Bearer sk-mod", authorization);
        Assert.Contains("\"input\":[\"Please mail [EMAIL] the plan.\"]", body, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.roe", body, StringComparison.Ordinal);
        Assert.Contains("check:mod:block:violence", Actions(call));
        var span = Span("mod");
        Assert.Equal("deny", span.GetTagItem("gen_ai.guardrail.verdict.type"));
        Assert.Equal("block", span.GetTagItem("gen_ai.guardrail.action.type"));
        Assert.Equal("violence", span.GetTagItem("gen_ai.guardrail.security.risk.category"));
        Assert.Equal(0.93, span.GetTagItem("gen_ai.guardrail.security.risk.score"));
    }

    [Fact]
    public async Task OpenAIModeration_NotFlagged_CallPasses()
    {
        _service.Answer = """{"results":[{"flagged":false,"categories":{"violence":false},"category_scores":{"violence":0.02}}]}""";
        var call = Chat();

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "openai_moderation", ["url"] = _service.BaseUrl + "v1" });

        Assert.False(result.IsError);
        Assert.True(upstreamCalled);
        Assert.Contains("check:mod:allow", Actions(call));
        Assert.Equal("allow", Span("mod").GetTagItem("gen_ai.guardrail.verdict.type"));
    }

    [Fact]
    public async Task Webhook_FlaggedInAuditMode_CallPassesFindingInLedgerActionsAndSpan()
    {
        _service.Answer = """{"flagged":true,"reason":"fraud","score":0.7}""";
        var call = Chat(tenant: "team-a");

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "webhook", ["url"] = _service.BaseUrl + "hooks/guard", ["mode"] = "audit" }, name: "hook");

        Assert.False(result.IsError);
        Assert.True(upstreamCalled);
        Assert.Contains("check:hook:audit:fraud", Actions(call));
        var (path, _, body) = Assert.Single(_service.Requests);
        Assert.Equal("/hooks/guard", path);
        Assert.Equal("""{"check":"hook","direction":"input","tenant":"team-a","policy":"default","texts":["Please mail [EMAIL] the plan."]}""", body);
        var span = Span("hook");
        Assert.Equal("warn", span.GetTagItem("gen_ai.guardrail.verdict.type"));
        Assert.Equal("allow", span.GetTagItem("gen_ai.guardrail.action.type"));
        Assert.Equal("fraud", span.GetTagItem("gen_ai.guardrail.security.risk.category"));
        Assert.Equal("audit", span.GetTagItem("mesh.gateway.guardrail.check.mode"));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("closed")]
    public async Task Webhook_Timeout_OnErrorDecides(string onError)
    {
        _service.Delay = TimeSpan.FromSeconds(10);
        var call = Chat();

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "webhook", ["url"] = _service.BaseUrl + "slow", ["timeout_ms"] = "150", ["on_error"] = onError }, name: "hook");

        if (onError == "open")
        {
            Assert.False(result.IsError);
            Assert.True(upstreamCalled);
            Assert.Contains("check:hook:error_open", Actions(call));
        }
        else
        {
            Assert.Equal("The request was blocked by the gateway's content policy (check_unavailable:hook).", result.Error?.Message);
            Assert.False(upstreamCalled);
            Assert.Contains("check:hook:error_closed", Actions(call));
        }

        var span = Span("hook");
        Assert.Equal("timeout", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("escalate", span.GetTagItem("gen_ai.guardrail.verdict.type"));
    }

    [Theory]
    [InlineData(503, "{}", "http_503")]
    [InlineData(200, "not json", "unreadable")]
    public async Task Webhook_ServiceFails_FailClosedBlocksWithTheErrorOnTheSpan(int status, string answer, string error)
    {
        (_service.Status, _service.Answer) = (status, answer);
        var call = Chat();

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "webhook", ["url"] = _service.BaseUrl.ToString(), ["on_error"] = "closed" }, name: "hook");

        Assert.True(result.IsError);
        Assert.False(upstreamCalled);
        Assert.Equal(error, Span("hook").GetTagItem("error.type"));
    }

    [Theory]
    [InlineData("BLOCK jailbreak", true, "judge:jailbreak")]
    [InlineData("ALLOW", false, null)]
    public async Task LlmJudge_TheRoutesVerdictDecides(string verdict, bool blocked, string? finding)
    {
        ChatRequest? asked = null;
        InferenceHandler judge = (context, _) =>
        {
            asked = context.ChatRequest;
            return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = verdict, FinishReason = ChatFinishReason.Stop }));
        };
        var call = Chat();

        var (result, upstreamCalled) = await RunAsync(call, new() { ["type"] = "llm_judge", ["route"] = "judge-model", ["prompt"] = "Judge this." }, name: "judge", router: judge);

        Assert.Equal(blocked, result.IsError);
        Assert.Equal(!blocked, upstreamCalled);
        if (finding is not null)
        {
            Assert.Equal($"The request was blocked by the gateway's content policy ({finding}).", result.Error?.Message);
        }

        Assert.Equal("judge-model", asked!.Model);
        Assert.Equal("Judge this.", asked.Messages[0].Text);
        Assert.Equal("Please mail [EMAIL] the plan.", asked.Messages[1].Text);
    }

    [Fact]
    public async Task LlmJudge_UnreadableAnswerFailOpen_CallPasses()
    {
        InferenceHandler judge = (_, _) => ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "I think it is fine?", FinishReason = ChatFinishReason.Stop }));
        var call = Chat();

        var (result, _) = await RunAsync(call, new() { ["type"] = "llm_judge", ["route"] = "judge-model" }, name: "judge", router: judge);

        Assert.False(result.IsError);
        Assert.Equal("unreadable", Span("judge").GetTagItem("error.type"));
    }

    [Fact]
    public async Task OnOutput_FlaggedWholeResponse_CutWithContentFilter()
    {
        _service.Answer = """{"flagged":true,"reason":"leak"}""";
        var call = Chat();

        var (result, _) = await RunAsync(call, new() { ["type"] = "webhook", ["url"] = _service.BaseUrl.ToString(), ["on_input"] = "false", ["on_output"] = "true" }, name: "hook");

        Assert.Equal(ChatFinishReason.ContentFilter, result.Response!.FinishReason);
        Assert.Equal(string.Empty, result.Response.Text);
        var (_, _, body) = Assert.Single(_service.Requests);
        Assert.Contains("\"direction\":\"output\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type", "regex", "guardrails.checks.c.type: must be one of openai_moderation, webhook, llm_judge (was 'regex')")]
    [InlineData("url", "ftp://x", "guardrails.checks.c.url: an absolute http or https URL is required for a webhook check (was 'ftp://x')")]
    [InlineData("mode", "warn", "guardrails.checks.c.mode: must be enforce or audit (was 'warn')")]
    [InlineData("on_error", "maybe", "guardrails.checks.c.on_error: must be open or closed (was 'maybe')")]
    [InlineData("timeout_ms", "0", "guardrails.checks.c.timeout_ms: must be an integer from 1 to 60000 (was '0')")]
    public void Parse_BadCheck_Reported(string key, string value, string error)
    {
        var values = new Dictionary<string, string?> { ["guardrails:checks:c:type"] = "webhook", ["guardrails:checks:c:url"] = "http://127.0.0.1:1/" };
        values["guardrails:checks:c:" + key] = value;

        GuardrailsOptions.Parse(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), out var errors);

        Assert.Contains(error, errors);
    }

    private static async Task<(InferenceResult Result, bool UpstreamCalled)> RunAsync(
        InferenceContext call, Dictionary<string, string> check, string name = "mod", InferenceHandler? router = null)
    {
        var values = new Dictionary<string, string?> { ["guardrails:pii:action"] = "redact" };
        foreach (var (key, value) in check)
        {
            values[$"guardrails:checks:{name}:{key}"] = value;
        }

        var options = GuardrailsOptions.Parse(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), out var errors);
        Assert.Empty(errors);
        var engine = new GuardrailEngine();
        var policies = new GuardrailsPolicies(options);
        using var http = new HttpClient();
        var upstreamCalled = false;
        var pipeline = new InferencePipelineBuilder()
            .AddStep(new RequestGuardrailsStep(engine, policies))
            .AddStep(new GuardChecksStep(new GuardChecks(http, router, TimeProvider.System), policies))
            .Build((_, _) =>
            {
                upstreamCalled = true;
                return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "Done.", FinishReason = ChatFinishReason.Stop }));
            });
        var result = await pipeline.ExecuteAsync(call, Ct);
        return (result, upstreamCalled);
    }

    private static InferenceContext Chat(string? tenant = null)
    {
        var call = InferenceContext.ForChat(new ChatRequest { Model = "gpt-4o-mini", Messages = [ChatMessage.User(Prompt)] }, false, TimeProvider.System);
        if (tenant is not null)
        {
            call.Identity = new Mesh.Gateway.Core.Identity.CallIdentity(tenant, null, Mesh.Gateway.Core.Identity.CallIdentity.Trusted);
        }

        return call;
    }

    private static List<string> Actions(InferenceContext call) => call.Properties.GetValue(InferencePropertyKeys.GuardrailActions, []);

    private Activity Span(string check) => Assert.Single(_spans, a => a.DisplayName == "run_guardrail " + check);
}
