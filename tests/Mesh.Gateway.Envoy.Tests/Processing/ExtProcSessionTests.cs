using System.Text;
using System.Text.Json;
using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Testing;
using Xunit;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace Mesh.Gateway.Envoy.Tests.Processing;

public sealed class ExtProcSessionTests
{
    private const string ChatBody = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Mail me at jane.roe@example.org, card 4111 1111 1111 1111."}]}""";

    [Fact]
    public async Task RequestBody_EmailAndCard_RedactedWithContentLengthAndUsageRequested()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(pipeline: EnvoyTestBed.GuardrailsPipeline(
            new()
            {
                ["guardrails:pii:action"] = "redact",
                ["guardrails:pii:entities:0"] = "email",
                ["guardrails:pii:entities:1"] = "credit_card",
            },
            ledger)));
        var ct = TestContext.Current.CancellationToken;
        var headers = await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a"),
            ("content-length", Encoding.UTF8.GetByteCount(ChatBody).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("accept-encoding", "gzip")), ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestHeaders, headers!.ResponseCase);
        Assert.Contains("accept-encoding", headers.RequestHeaders.Response.HeaderMutation.RemoveHeaders);

        var body = await session.HandleAsync(Messages.RequestBody(ChatBody), ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestBody, body!.ResponseCase);
        var mutated = body.RequestBody.Response.BodyMutation.Body.ToStringUtf8();
        Assert.DoesNotContain("jane.roe@example.org", mutated, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", mutated, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(mutated);
        Assert.Equal("Mail me at [EMAIL], card [CREDIT_CARD].", doc.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.True(doc.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var contentLength = Messages.Header(body.RequestBody.Response.HeaderMutation, "content-length");
        Assert.Equal(body.RequestBody.Response.BodyMutation.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), contentLength);
        Assert.All(body.RequestBody.Response.HeaderMutation.SetHeaders, h => Assert.Equal(string.Empty, h.Header.Value));
        await session.EndAsync(cancelled: true, ct);
        var admitted = Assert.Single(ledger.Settled);
        Assert.Equal(("team-a", "openai", "chat", "gpt-4o-mini", "envoy"), (admitted.TenantId, admitted.Provider, admitted.Operation, admitted.Model, admitted.Door));
        Assert.True(admitted.InputTokens > 0);
        Assert.Contains("redact:request", admitted.GuardrailActions);
    }

    [Fact]
    public async Task RequestBody_BlockedPrompt_ImmediateResponseInOpenAIShape()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps(pipeline: EnvoyTestBed.GuardrailsPipeline(new()
        {
            ["guardrails:pii:action"] = "block",
            ["guardrails:pii:entities:0"] = "email",
        })));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Mail jane.roe@example.org please"}]}"""), ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.ImmediateResponse, answer!.ResponseCase);
        Assert.Equal(400, (int)answer.ImmediateResponse.Status.Code);
        Assert.Equal("application/json", Messages.Header(answer.ImmediateResponse.Headers, "content-type"));
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("content_policy_violation", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("The request was blocked by the gateway's content policy (email).", doc.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task RequestBody_ModelNotAllowed_Immediate403()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("""{"model":"o3-pro","messages":[]}"""), ct);

        Assert.Equal(403, (int)answer!.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("model_not_allowed", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    // The body's operation is authorized by the authentication step in the API's own words: a tenant allowed chat only may
    // not call the Responses API, and the refusal admits (and records) nothing.
    [Fact]
    public async Task RequestBody_OperationNotAllowed_Immediate403FromTheAuthenticationStep()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(pipeline: EnvoyTestBed.Pipeline(
            new() { ["tenants:0:id"] = "team-a", ["tenants:0:models:0"] = "*", ["tenants:0:operations:0"] = "chat" }, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/responses", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","input":"hi"}"""), ct);

        Assert.Equal(403, (int)answer!.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("operation_not_allowed", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(ledger.Records);
        Assert.NotNull(session.Refusal);
    }

    [Fact]
    public async Task RequestBody_DuplicateModelKey_Immediate400AndNothingAdmitted()
    {
        // Regression (issue 16): Check and ext_proc must read one body the same way; a key given twice is refused on both.
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","model":"gpt-4.1","messages":[]}"""), ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.ImmediateResponse, answer!.ResponseCase);
        Assert.Equal(400, (int)answer.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("duplicate_key", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(ledger.Records);
    }

    [Fact]
    public async Task RequestBody_DuplicateKeyOnAnthropicPath_Immediate400InAnthropicShape()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/messages", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("""{"model":"claude-3-5-haiku-latest","messages":[],"messages":[{"role":"user","content":"x"}]}"""), ct);

        Assert.Equal(400, (int)answer!.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("error", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", doc.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task RequestHeaders_NoTenantFromExtAuthz_Immediate401()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());

        var answer = await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions"), TestContext.Current.CancellationToken);

        Assert.Equal(401, (int)answer!.ImmediateResponse.Status.Code);
    }

    [Fact]
    public async Task Admission_Refused_Immediate429WithRetryAfter()
    {
        // The limits step refuses (one request a minute, the first one taken); Check charged nothing (no ext_authz metadata).
        var ledger = new RecordingLedger();
        var deps = EnvoyTestBed.Deps(pipeline: EnvoyTestBed.Pipeline(new() { ["tenants:0:id"] = "team-a", ["tenants:0:models:0"] = "*", ["tenants:0:limits:requests_per_minute"] = "1" }, ledger));
        var ct = TestContext.Current.CancellationToken;
        ProcessingResponse? answer = null;
        for (var i = 0; i < 2; i++)
        {
            var session = new ExtProcSession(deps);
            await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
            answer = await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","messages":[]}"""), ct);
            await session.EndAsync(cancelled: true, ct);
        }

        Assert.Equal(429, (int)answer!.ImmediateResponse.Status.Code);
        Assert.InRange(int.Parse(Messages.Header(answer.ImmediateResponse.Headers, "retry-after")!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("0", Messages.Header(answer.ImmediateResponse.Headers, "x-ratelimit-remaining-requests"));
        using var doc = JsonDocument.Parse(answer.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("rate_limit_exceeded", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(["cancelled", "denied"], ledger.Records.Select(static r => r.Status));
        Assert.Equal(429, ledger.Records[1].HttpStatus);
    }

    [Fact]
    public async Task ResponseStream_SseReplyCallerAskedForUsage_PassedThroughUnchangedAndUsageMetadataOnLastChunk()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody(ChatBody.Replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal)), ct);

        var headers = await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream; charset=utf-8", ("content-length", "1129")), ct);

        Assert.Equal(BodySendMode.Streamed, headers!.ModeOverride.ResponseBodyMode);
        Assert.Equal(BodySendMode.Buffered, headers.ModeOverride.RequestBodyMode);
        Assert.Contains("content-length", headers.ResponseHeaders.Response.HeaderMutation.RemoveHeaders);

        var sse = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming-detailed-usage.sse");
        ProcessingResponse? last = null;
        for (var i = 0; i < sse.Length; i += 100)
        {
            var end = Math.Min(i + 100, sse.Length);
            last = await session.HandleAsync(Messages.ResponseBody(sse.AsSpan(i, end - i), end == sse.Length), ct);
            Assert.Equal(ProcessingResponse.ResponseOneofCase.ResponseBody, last!.ResponseCase);
            Assert.Null(last.ResponseBody.Response.BodyMutation);
        }

        var usage = last!.DynamicMetadata.Fields["mesh.gateway"].StructValue.Fields;
        Assert.Equal((12, 100, 112), ((int)usage["input_tokens"].NumberValue, (int)usage["output_tokens"].NumberValue, (int)usage["total_tokens"].NumberValue));
        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("ok", 12L, 100L, true), (settled.Status, settled.InputTokens, settled.OutputTokens, settled.ProviderReported));
    }

    [Fact]
    public async Task ResponseStream_CallerDidNotAskForUsage_UpstreamAskedAndUsageEventLeftOutButCharged()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        var request = await session.HandleAsync(Messages.RequestBody(ChatBody), ct);
        using (var sent = System.Text.Json.JsonDocument.Parse(request!.RequestBody.Response.BodyMutation.Body.Memory))
        {
            Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        }

        await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream"), ct);
        var sse = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming-detailed-usage.sse");
        var client = new List<byte>();
        for (var i = 0; i < sse.Length; i += 100)
        {
            var end = Math.Min(i + 100, sse.Length);
            var answer = await session.HandleAsync(Messages.ResponseBody(sse.AsSpan(i, end - i), end == sse.Length), ct);
            client.AddRange(answer!.ResponseBody.Response.BodyMutation is { } mutation ? mutation.Body.ToByteArray() : sse.AsSpan(i, end - i).ToArray());
        }

        var received = System.Text.Encoding.UTF8.GetString([.. client]);
        Assert.DoesNotContain("prompt_tokens", received, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", received, StringComparison.Ordinal);
        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("ok", 12L, 100L, true), (settled.Status, settled.InputTokens, settled.OutputTokens, settled.ProviderReported));
    }

    [Fact]
    public async Task EndAsync_CancelledMidStream_SettlesOnceWithWhatWasUsed()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody(ChatBody), ct);
        await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream"), ct);
        var sse = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming.sse");
        await session.HandleAsync(Messages.ResponseBody(sse.AsSpan(0, sse.Length / 2), false), ct);

        await session.EndAsync(cancelled: true, ct);
        await session.EndAsync(cancelled: true, ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal("cancelled", settled.Status);
        Assert.False(settled.ProviderReported);
        Assert.Equal("cancelled", settled.UnreportedReason);
        Assert.True(settled.InputTokens > 0);
        Assert.True(settled.OutputTokens > 0);
    }

    // A moderation cut by the door's response guardrails: the limits step settles once, with the usage the provider still
    // reported after the cut and the cut in the record's guardrail actions; the stream's end and a later cancellation add
    // nothing.
    [Fact]
    public async Task ResponseStream_ModerationCut_SettledOnceWithTheCutRecorded()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody(ChatBody), ct);
        await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream"), ct);
        var sse = Encoding.UTF8.GetBytes(OpenAIStreams.Stream(
            ["Here is the plan, and it is a long one with many careful steps written out in full detail for you. ", "I will kill ", "them all tomorrow. ", "More text."],
            5, 3, "gpt-4o-mini"));
        ProcessingResponse? last = null;
        for (var i = 0; i < sse.Length; i += 64)
        {
            var end = Math.Min(i + 64, sse.Length);
            last = await session.HandleAsync(Messages.ResponseBody(sse.AsSpan(i, end - i), end == sse.Length), ct);
        }

        await session.EndAsync(cancelled: true, ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("ok", 5L, 3L, true, 200), (settled.Status, settled.InputTokens, settled.OutputTokens, settled.ProviderReported, settled.HttpStatus));
        Assert.Contains("cut:response", settled.GuardrailActions);
        Assert.Same(settled, session.Record);
        Assert.Equal(8, (int)last!.DynamicMetadata.Fields["mesh.gateway"].StructValue.Fields["total_tokens"].NumberValue);
    }

    [Fact]
    public async Task ResponseStream_EndsWithoutDoneOrUsage_ChargedAsUpstreamCut()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody(ChatBody), ct);
        await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream"), ct);

        await session.HandleAsync(Messages.ResponseBody("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there\"}}]}\n\n"u8, true), ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("error", false, "upstream_cut", 200), (settled.Status, settled.ProviderReported, settled.UnreportedReason, settled.HttpStatus));
        Assert.True(settled.InputTokens > 0);
        Assert.Equal(Tokenizers.TokenCounter.Default.Resolve("gpt-4o-mini").CountText("Hello there").Tokens, settled.OutputTokens);
    }

    [Fact]
    public async Task EndAsync_AnthropicCancelledAfterMessageStart_ReportedInputKeptDeliveredOutputCounted()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/messages", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody("""{"model":"claude-3-5-haiku-latest","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""), ct);
        await session.HandleAsync(Messages.ResponseHeaders(200, "text/event-stream"), ct);
        await session.HandleAsync(Messages.ResponseBody(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"u8
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there my good friend\"}}\n\n"u8, false), ct);

        await session.EndAsync(cancelled: true, ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal((10L, false, "cancelled"), (settled.InputTokens, settled.ProviderReported, settled.UnreportedReason));
        Assert.Equal(Tokenizers.TokenCounter.Default.Resolve("claude-3-5-haiku-latest").CountText("Hello there my good friend").Tokens, settled.OutputTokens);
    }

    // A whole Anthropic answer with two text blocks and a tool call: the response steps get the parts apart and the call,
    // and what they return is written back where each was (the second block's e-mail redacted in the second block, the
    // call's arguments redacted), with the content-length fixed; the limits step settles it once.
    [Fact]
    public async Task ResponseJson_TwoTextBlocksAndAToolCall_EachRedactedInItsOwnPlace()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(pipeline: EnvoyTestBed.GuardrailsPipeline(new() { ["guardrails:pii:action"] = "redact" }, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/messages", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody("""{"model":"claude-3-5-haiku-latest","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"""), ct);
        const string Answer = """{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Sure, Oslo it is."},{"type":"text","text":"I will tell jane.roe@example.org."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo","notify":"john.doe@example.com"}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":9}}""";
        await session.HandleAsync(Messages.ResponseHeaders(200, "application/json", ("content-length", Encoding.UTF8.GetByteCount(Answer).ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

        var answer = await session.HandleAsync(Messages.ResponseBody(Encoding.UTF8.GetBytes(Answer), true), ct);

        var written = answer!.ResponseBody.Response.BodyMutation.Body;
        using var doc = JsonDocument.Parse(written.Memory);
        var content = doc.RootElement.GetProperty("content");
        Assert.Equal("Sure, Oslo it is.", content[0].GetProperty("text").GetString());
        Assert.Equal("I will tell [EMAIL].", content[1].GetProperty("text").GetString());
        Assert.Equal("[EMAIL]", content[2].GetProperty("input").GetProperty("notify").GetString());
        Assert.Equal("tool_use", doc.RootElement.GetProperty("stop_reason").GetString());
        Assert.Equal(written.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Messages.Header(answer.ResponseBody.Response.HeaderMutation, "content-length"));
        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("ok", 20L, 9L), (settled.Status, settled.InputTokens, settled.OutputTokens));
    }

    [Fact]
    public async Task ResponseJson_CompleteWithoutUsage_ChargedAsUsageMissing()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), ct);
        await session.HandleAsync(Messages.ResponseHeaders(200, "application/json"), ct);

        await session.HandleAsync(Messages.ResponseBody("""{"choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}]}"""u8, true), ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("ok", false, "usage_missing"), (settled.Status, settled.ProviderReported, settled.UnreportedReason));
        Assert.True(settled.InputTokens > 0);
    }

    [Fact]
    public async Task ResponseJson_ProviderErrorWithoutUsage_NotCharged()
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger, pipeline: EnvoyTestBed.Pipeline(EnvoyTestBed.ResponsesUnguarded, ledger)));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);
        await session.HandleAsync(Messages.RequestBody(ChatBody), ct);
        await session.HandleAsync(Messages.ResponseHeaders(500, "application/json"), ct);

        await session.HandleAsync(Messages.ResponseBody("""{"error":{"message":"boom"}}"""u8, true), ct);

        var settled = Assert.Single(ledger.Settled);
        Assert.Equal(("error", 0L, 0L, null), (settled.Status, settled.InputTokens, settled.OutputTokens, settled.UnreportedReason));
    }

    [Theory]
    [InlineData("\"max_tokens\":-1")]
    [InlineData("\"max_completion_tokens\":0")]
    [InlineData("\"max_tokens\":1e308")]
    [InlineData("\"max_tokens\":\"lots\"")]
    public async Task RequestBody_MaxTokensNotAPositiveInteger_400NamingTheField(string field)
    {
        var ledger = new RecordingLedger();
        var session = new ExtProcSession(EnvoyTestBed.Deps(ledger: ledger));
        var ct = TestContext.Current.CancellationToken;
        await session.HandleAsync(Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a")), ct);

        var answer = await session.HandleAsync(Messages.RequestBody("{\"model\":\"gpt-4o-mini\"," + field + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), ct);

        Assert.Equal(400, (int)answer!.ImmediateResponse.Status.Code);
        Assert.Contains(field[1..field.IndexOf('"', 1)], answer.ImmediateResponse.Body.ToStringUtf8(), StringComparison.Ordinal);
        Assert.Empty(ledger.Records);
    }

    [Fact]
    public async Task HandleAsync_ObservabilityMode_NoAnswers()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());
        var request = Messages.RequestHeaders("/v1/chat/completions", false, ("x-mesh-tenant", "team-a"));
        request.ObservabilityMode = true;

        Assert.Null(await session.HandleAsync(request, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task HandleAsync_BodyBeforeHeaders_FailedPrecondition()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await session.HandleAsync(Messages.RequestBody("{}"), TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_EmptyMessage_InvalidArgument()
    {
        var session = new ExtProcSession(EnvoyTestBed.Deps());

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await session.HandleAsync(new ProcessingRequest(), TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task RequestHeaders_AuthenticateInExtProc_SetsProviderKeyInRawValueOnly()
    {
        var options = new Mesh.Gateway.Envoy.Configuration.EnvoyOptions { AuthenticateInExtProc = true };
        var session = new ExtProcSession(EnvoyTestBed.Deps(options: options));

        var answer = await session.HandleAsync(Messages.RequestHeaders("/v1/messages", false, ("x-api-key", EnvoyTestBed.KeyA)), TestContext.Current.CancellationToken);

        var mutation = answer!.RequestHeaders.Response.HeaderMutation;
        Assert.Equal(EnvoyTestBed.AnthropicKey, Messages.Header(mutation, "x-api-key"));
        Assert.Equal("team-a", Messages.Header(mutation, "x-mesh-tenant"));
        Assert.All(mutation.SetHeaders, h => Assert.Equal(string.Empty, h.Header.Value));
        Assert.Contains("authorization", mutation.RemoveHeaders);
    }
}
