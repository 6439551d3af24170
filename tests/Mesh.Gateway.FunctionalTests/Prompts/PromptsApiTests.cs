using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Prompts;

/// <summary>Prompts.Run and RunStream on the real sidecar, a fake OpenAI-compatible upstream recording what it received.</summary>
public sealed class PromptsApiTests : IAsyncLifetime
{
    private const string AcmeKey = "mgw-prompts-acme";
    private const string OtherKey = "mgw-prompts-other";
    private const string HouseStyle = "Answer in British English.";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-prompts-").FullName;
    private FakeProviderServer _upstream = null!;
    private SidecarHost _sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Metadata Acme => new() { { "authorization", "Bearer " + AcmeKey } };

    private static Metadata Other => new() { { "authorization", "Bearer " + OtherKey } };

    private string LedgerPath => Path.Combine(_dir, "ledger.jsonl");

    private V1.Prompts.PromptsClient Prompts => new(_sidecar.Channel);

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync(Ct);
        _upstream.Default = FakeResponse.OpenAIChat("default answer", inputTokens: 11, outputTokens: 2);
        _sidecar = await SidecarHost.StartAsync($$$"""
            tenants:
              - id: acme
                api_keys: ["{{{ApiKeyHash.Format(AcmeKey)}}}"]
                models: [chat-big]
                prompts: [answer, extract, "summ*"]
                limits:
                  prompts:
                    summarize: { requests_per_minute: 1 }
                    summary-daily: { per_day_usd: 0.01 }
              - id: other
                api_keys: ["{{{ApiKeyHash.Format(OtherKey)}}}"]
                models: ["*"]
            providers:
              - { name: p0, kind: openai-compatible, base_url: '{{{_upstream.BaseUrl}}}v1', api_key: test-key }
            models:
              - { name: chat-fast, targets: [ { provider: p0, model: gpt-4o-mini } ] }
              - { name: chat-big, targets: [ { provider: p0, model: gpt-4o } ] }
            ledger:
              path: {{{LedgerPath}}}
            prompts:
              templates:
                - name: extract
                  variables:
                    - { name: text }
                  versions:
                    - version: "1"
                      model: chat-fast
                      messages:
                        - { role: user, content: "Extract the facts: {{text}}" }
                - name: answer
                  variables:
                    - { name: facts, from: extract }
                    - { name: question }
                  versions:
                    - version: "1"
                      model: chat-big
                      messages:
                        - { role: system, content: "Use only the facts." }
                        - { role: user, content: "Facts: {{facts}} Question: {{question}}" }
                - name: summarize
                  variables:
                    - { name: text }
                    - { name: words, type: number, default: "20" }
                    - { name: formal, type: boolean, default: "false" }
                  versions:
                    - { version: "1", model: chat-fast, messages: [ { role: user, content: "v1 {{words}} {{formal}}: {{text}}" } ] }
                    - { version: "2", model: chat-big, max_output_tokens: 99, messages: [ { role: user, content: "v2 {{words}}: {{text}}" } ] }
                  labels:
                    production: "1"
                    staging: "2"
                - name: summary-daily
                  variables:
                    - { name: text }
                  versions:
                    - { version: "1", model: chat-fast, messages: [ { role: user, content: "Digest: {{text}}" } ] }
              decorators:
                - { name: acme-style, tenants: [acme], content: "{{{HouseStyle}}}" }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static RunPromptRequest Run(string name, params (string Name, Value Value)[] variables)
    {
        var request = new RunPromptRequest { Name = name };
        foreach (var (key, value) in variables)
        {
            request.Variables[key] = value;
        }

        return request;
    }

    private static List<(string Role, string Content)> Messages(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.BodyText);
        return [.. body.RootElement.GetProperty("messages").EnumerateArray().Select(static m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))];
    }

    private static string Model(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.BodyText);
        return body.RootElement.GetProperty("model").GetString()!;
    }

    [Fact]
    public async Task Run_TwoStepChain_EachStepACallThroughThePolicyEngineWithItsLedgerRecord()
    {
        _upstream.Enqueue(FakeResponse.OpenAIChat("the sky is blue", inputTokens: 7, outputTokens: 5), FakeResponse.OpenAIChat("Blue.", inputTokens: 13, outputTokens: 2));

        var response = await Prompts.RunAsync(Run("answer", ("text", Value.ForString("A report about the sky.")), ("question", Value.ForString("What colour?"))), Acme, cancellationToken: Ct);

        Assert.Equal("Blue.", response.Text);
        Assert.Equal(2, _upstream.RequestCount);
        var (first, second) = (_upstream.Requests[0], _upstream.Requests[1]);
        Assert.Equal("gpt-4o-mini", Model(first));
        Assert.Equal([("system", HouseStyle), ("user", "Extract the facts: A report about the sky.")], Messages(first));
        Assert.Equal("gpt-4o", Model(second));
        Assert.Equal([("system", HouseStyle), ("system", "Use only the facts."), ("user", "Facts: the sky is blue Question: What colour?")], Messages(second));

        await _sidecar.StopAsync(Ct);
        var records = File.ReadAllLines(LedgerPath).Select(static l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [("extract", "1", "gpt-4o-mini", 7L), ("answer", "1", "gpt-4o", 13L)],
            records.Select(static r => (r.GetProperty("prompt_name").GetString(), r.GetProperty("prompt_version").GetString(), r.GetProperty("model").GetString(), r.GetProperty("input_tokens").GetInt64())));
        Assert.All(records, static r => Assert.Equal("acme", r.GetProperty("tenant_id").GetString()));
    }

    [Fact]
    public async Task RunStream_StagingLabel_StreamsTheVersionsAnswerFromItsModel()
    {
        _upstream.Enqueue(FakeResponse.OpenAIChatStream(["Sho", "rt."], inputTokens: 8, outputTokens: 2));
        var request = Run("summarize", ("text", Value.ForString("long text")), ("words", Value.ForNumber(5)));
        request.Label = "staging";

        using var call = Prompts.RunStream(request, Acme, cancellationToken: Ct);
        var chunks = new List<GenerateChunk>();
        while (await call.ResponseStream.MoveNext(Ct))
        {
            chunks.Add(call.ResponseStream.Current);
        }

        Assert.Equal("Short.", string.Concat(chunks.Select(static c => c.Text)));
        Assert.Equal(2, chunks[^1].Usage.OutputTokens);
        var sent = Assert.Single(_upstream.Requests);
        Assert.Equal("gpt-4o", Model(sent));
        Assert.Equal(("user", "v2 5: long text"), Messages(sent)[^1]);
        Assert.Contains("99", sent.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "variables.text", "is required")]
    [InlineData("wrong-type", "variables.words", "must be a number (was a string)")]
    [InlineData("wrong-boolean", "variables.formal", "must be a boolean (was a number)")]
    [InlineData("extra", "variables.colour", "is not a variable of prompt 'summarize'")]
    public async Task Run_BadVariables_InvalidArgumentNamingTheVariable_NothingSentUpstream(string scenario, string field, string problem)
    {
        var request = scenario switch
        {
            "missing" => Run("summarize"),
            "wrong-type" => Run("summarize", ("text", Value.ForString("t")), ("words", Value.ForString("five"))),
            "wrong-boolean" => Run("summarize", ("text", Value.ForString("t")), ("formal", Value.ForNumber(1))),
            _ => Run("summarize", ("text", Value.ForString("t")), ("colour", Value.ForString("red"))),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(request, Acme, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal($"{field}: {problem}", ex.Status.Detail);
        var badRequest = InferenceSidecar.Details(ex).Details.Single(static d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>();
        Assert.Equal(field, Assert.Single(badRequest.FieldViolations).Field);
        Assert.Equal(0, _upstream.RequestCount);
    }

    [Fact]
    public async Task Run_UnknownPrompt_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(Run("nope"), Acme, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("PROMPT_NOT_FOUND", InferenceSidecar.Info(ex).Reason);
    }

    [Fact]
    public async Task Run_TenantWithoutThePrompt_PermissionDeniedEvenWithEveryModel()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(Run("summarize", ("text", Value.ForString("t"))), Other, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("PROMPT_NOT_ALLOWED", InferenceSidecar.Info(ex).Reason);
        Assert.Equal(0, _upstream.RequestCount);
    }

    [Fact]
    public async Task Run_NoKey_Unauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(Run("summarize", ("text", Value.ForString("t"))), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task Generate_PromptAccessDoesNotOpenThePromptsModel()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => new V1.Inference.InferenceClient(_sidecar.Channel).GenerateAsync(InferenceSidecar.Ask("chat-fast"), Acme, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task Run_PromptLimitedToOnePerMinute_SecondCallResourceExhausted()
    {
        var request = Run("summarize", ("text", Value.ForString("t")));
        await Prompts.RunAsync(request, Acme, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(request, Acme, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("prompt:summarize", ex.Status.Detail + string.Join(",", InferenceSidecar.Details(ex).Details.Where(static d => d.Is(QuotaFailure.Descriptor)).Select(static d => d.Unpack<QuotaFailure>().ToString())), StringComparison.Ordinal);
        Assert.Equal(1, _upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_DecoratorForTheTenant_PrependedOnTheInferenceDoor_OthersUntouched()
    {
        var inference = new V1.Inference.InferenceClient(_sidecar.Channel);

        await inference.GenerateAsync(InferenceSidecar.Ask("chat-big", "hello"), Acme, cancellationToken: Ct);
        await inference.GenerateAsync(InferenceSidecar.Ask("chat-big", "hello"), Other, cancellationToken: Ct);

        Assert.Equal([("system", HouseStyle), ("user", "hello")], Messages(_upstream.Requests[0]));
        Assert.Equal([("user", "hello")], Messages(_upstream.Requests[1]));
    }

    [Fact]
    public async Task Run_Chain_EachStepsSpanCarriesPromptNameAndVersion()
    {
        if (SidecarHost.OutOfProcess)
        {
            Assert.Skip("Listens to the sidecar's ActivitySource in this process: not possible against the published executable (MESH_SIDECAR_EXECUTABLE).");
        }

        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == "Mesh.Gateway",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var question = "span-" + Guid.NewGuid().ToString("N");

        await Prompts.RunAsync(Run("answer", ("text", Value.ForString("t")), ("question", Value.ForString(question))), Acme, cancellationToken: Ct);

        // The listener hears other tests' calls too: look for the two steps of this chain by their tags.
        var prompted = spans.Where(static a => a.GetTagItem("gen_ai.prompt.name") is not null).ToList();
        Assert.Contains(prompted, static a => (string?)a.GetTagItem("gen_ai.prompt.name") == "extract" && (string?)a.GetTagItem("mesh.gateway.prompt.version") == "1" && (string?)a.GetTagItem("gen_ai.request.model") == "chat-fast");
        Assert.Contains(prompted, static a => (string?)a.GetTagItem("gen_ai.prompt.name") == "answer" && (string?)a.GetTagItem("mesh.gateway.prompt.version") == "1" && (string?)a.GetTagItem("gen_ai.request.model") == "chat-big");
    }

    private async Task<HttpResponseMessage> PostHttpAsync(string path, string json, string? key = AcmeKey)
    {
        using var client = new HttpClient { BaseAddress = _sidecar.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task HttpDoor_PromptCompletions_TwoStepChainAnsweredAsOpenAIChatCompletion()
    {
        _upstream.Enqueue(FakeResponse.OpenAIChat("the sky is blue", inputTokens: 7, outputTokens: 5), FakeResponse.OpenAIChat("Blue.", inputTokens: 13, outputTokens: 2));

        using var response = await PostHttpAsync("/v1/prompts/answer/completions", """{"variables":{"text":"A report.","question":"What colour?"}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("chat.completion", body.RootElement.GetProperty("object").GetString());
        Assert.Equal("Blue.", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(2, _upstream.RequestCount);
        Assert.Equal(("user", "Facts: the sky is blue Question: What colour?"), Messages(_upstream.Requests[1])[^1]);
        Assert.Equal(("system", HouseStyle), Messages(_upstream.Requests[1])[0]);
    }

    [Fact]
    public async Task HttpDoor_PromptCompletions_StreamedOnALabel()
    {
        _upstream.Enqueue(FakeResponse.OpenAIChatStream(["Sho", "rt."], inputTokens: 8, outputTokens: 2));

        using var response = await PostHttpAsync("/v1/prompts/summarize/completions", """{"label":"staging","variables":{"text":"long","words":5},"stream":true,"stream_options":{"include_usage":true}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split('\n').Where(static l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(static l => l["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(static e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.Equal("Short.", string.Concat(chunks.SelectMany(static c => c.GetProperty("choices").EnumerateArray()).Select(static c => c.GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : string.Empty)));
        Assert.Contains(chunks, static c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object && u.GetProperty("completion_tokens").GetInt32() == 2);
        Assert.Equal(("user", "v2 5: long"), Messages(Assert.Single(_upstream.Requests))[^1]);
    }

    [Theory]
    [InlineData("summarize", """{"variables":{}}""", 400, "variables.text: is required")]
    [InlineData("summarize", """{"variables":{"text":"t","words":"five"}}""", 400, "variables.words: must be a number (was a string)")]
    [InlineData("summarize", """{"variables":{"text":["a"]}}""", 400, "variables.text: must be a string, a number or a boolean")]
    [InlineData("nope", """{"variables":{}}""", 404, "prompt 'nope' is not published by this gateway")]
    public async Task HttpDoor_PromptCompletions_RefusedInOpenAIErrorShape(string prompt, string json, int status, string message)
    {
        using var response = await PostHttpAsync($"/v1/prompts/{prompt}/completions", json);

        Assert.Equal(status, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(message, body.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, _upstream.RequestCount);
    }

    [Fact]
    public async Task HttpDoor_PromptCompletions_TenantWithoutThePrompt403()
    {
        using var response = await PostHttpAsync("/v1/prompts/summarize/completions", """{"variables":{"text":"t"}}""", OtherKey);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, _upstream.RequestCount);
    }

    /// <summary>A published prompt has its own budget (<c>limits.prompts.&lt;name&gt;.per_day_usd</c>), as a model has its own
    /// limits: spent through one door, it refuses the prompt on both, and leaves the tenant's other prompts running.</summary>
    [Fact]
    public async Task PromptBudget_SpentByOneCall_RefusedOnTheHttpRouteAndOnPromptsRun_OtherPromptsStillRun()
    {
        // 100,000 input tokens of gpt-4o-mini: 0.015 USD, over the prompt's 0.01 USD a day.
        _upstream.Enqueue(FakeResponse.OpenAIChat("digest", inputTokens: 100_000, outputTokens: 1));
        var request = Run("summary-daily", ("text", Value.ForString("t")));
        await Prompts.RunAsync(request, Acme, cancellationToken: Ct);

        using var http = await PostHttpAsync("/v1/prompts/summary-daily/completions", """{"variables":{"text":"t"}}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, http.StatusCode);
        Assert.True(http.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no retry-after");
        using (var body = JsonDocument.Parse(await http.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Contains("prompt:summary-daily", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var grpc = await Assert.ThrowsAsync<RpcException>(() => Prompts.RunAsync(request, Acme, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Equal("BUDGET_EXCEEDED", InferenceSidecar.Details(grpc).Details.Where(static d => d.Is(ErrorInfo.Descriptor)).Select(static d => d.Unpack<ErrorInfo>().Reason).Single());
        Assert.Equal(1, _upstream.RequestCount);

        _upstream.Enqueue(FakeResponse.OpenAIChat("short"));
        var other = await Prompts.RunAsync(Run("summarize", ("text", Value.ForString("t"))), Acme, cancellationToken: Ct);
        Assert.Equal("short", other.Text);
    }
}
