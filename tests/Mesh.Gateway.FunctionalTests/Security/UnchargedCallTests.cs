using System.Text;
using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Mesh.Gateway.Tokenizers;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Security;

/// <summary>A hostile tenant in the pod tries to get tokens for free: it cancels streams after three chunks, lets them run into
/// <c>total_ms</c>, or uses an upstream that reports no usage, on both doors. Every such call must be charged the prompt and the
/// output it delivered, counted with the gateway's tokenizer (exact for gpt-4o-mini's o200k_base), marked
/// <c>provider_reported: false</c> with the reason, and the limiter must see that charge.</summary>
public sealed class UnchargedCallTests : IDisposable
{
    private const string Key = "mgw-hostile-tenant";
    private const string CappedKey = "mgw-capped-tenant";
    private const string Model = "gpt-4o-mini";
    private const string Prompt = "Write a long story about a fox, please.";
    private static readonly string[] Deltas = ["The quick ", "brown fox ", "jumps over ", "the lazy ", "dog again ", "and again."];

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-uncharged-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string LedgerPath => Path.Combine(_dir, "ledger.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GenerateStream_CancelledAfterThreeChunks_ChargedPromptPlusDeliveredNotReported()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas, usage: true)).StallAfter(Encoding.UTF8.GetByteCount(Stream(Deltas[..3], usage: false, done: false))));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        var received = new StringBuilder();
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var call = client.GenerateStream(Ask("ok"), Auth(Key), cancellationToken: cts.Token);
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await call.ResponseStream.MoveNext(Ct));
                received.Append(call.ResponseStream.Current.Text);
            }

            await cts.CancelAsync();
        }

        var record = await WaitForRecordAsync(r => Str(r, "door") == "grpc" && Str(r, "status") == "cancelled");
        Assert.Equal(string.Concat(Deltas[..3]), received.ToString());
        AssertCharged(record, received.ToString(), "cancelled");
    }

    [Fact]
    public async Task GenerateStream_CutByTotalMs_ChargedPromptPlusDeliveredAsDeadline()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas, usage: true)).StallAfter(Encoding.UTF8.GetByteCount(Stream(Deltas[..3], usage: false, done: false))));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        var received = new StringBuilder();
        using var call = client.GenerateStream(Ask("slow"), Auth(Key), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
                received.Append(call.ResponseStream.Current.Text);
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        var record = await WaitForRecordAsync(r => Str(r, "door") == "grpc" && Str(r, "status") == "error");
        AssertCharged(record, received.ToString(), "deadline");
    }

    [Fact]
    public async Task GenerateStream_UpstreamReportsNoUsage_ChargedPromptPlusDeliveredAsUsageMissing()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas, usage: false)));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        var received = new StringBuilder();
        using var call = client.GenerateStream(Ask("ok"), Auth(Key), cancellationToken: Ct);
        while (await call.ResponseStream.MoveNext(Ct))
        {
            received.Append(call.ResponseStream.Current.Text);
        }

        Assert.Equal(string.Concat(Deltas), received.ToString());
        var record = await WaitForRecordAsync(r => Str(r, "door") == "grpc" && Str(r, "status") == "ok");
        AssertCharged(record, received.ToString(), "usage_missing");
    }

    [Fact]
    public async Task Generate_UpstreamReportsNoUsage_NotMarkedProviderReportedAndCharged()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Json($$"""{"id":"c1","object":"chat.completion","model":"{{Model}}","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, fox."},"finish_reason":"stop"}]}"""));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        var response = await client.GenerateAsync(Ask("ok"), Auth(Key), cancellationToken: Ct);

        Assert.Equal("Hello there, fox.", response.Text);
        var record = await WaitForRecordAsync(r => Str(r, "door") == "grpc" && Str(r, "status") == "ok");
        AssertCharged(record, "Hello there, fox.", "usage_missing");
    }

    [Fact]
    public async Task GenerateStream_TokensPerMinuteSpentByCancelledStreams_NextCallThrottled()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        var stalled = FakeResponse.Sse(Stream(Deltas, usage: true)).StallAfter(Encoding.UTF8.GetByteCount(Stream(Deltas[..3], usage: false, done: false)));
        upstream.Default = stalled;
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        // Each call reserves its estimated prompt plus 8 output tokens and, cancelled after three chunks, is charged what it
        // used. Charged nothing, a tenant with 150 tokens a minute could go on for ever.
        var admitted = 0;
        RpcException? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var request = Ask("ok");
            request.MaxOutputTokens = 8;
            using var call = client.GenerateStream(request, Auth(CappedKey), cancellationToken: cts.Token);
            try
            {
                for (var c = 0; c < 3; c++)
                {
                    Assert.True(await call.ResponseStream.MoveNext(Ct));
                }

                admitted++;
                await cts.CancelAsync();
                await WaitForRecordsAsync(admitted, r => Str(r, "tenant_id") == "capped" && Str(r, "status") == "cancelled");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("tokens per minute", refused.Status.Detail, StringComparison.Ordinal);
        var charged = (await WaitForRecordsAsync(admitted, r => Str(r, "tenant_id") == "capped" && Str(r, "status") == "cancelled"))
            .Sum(r => r.GetProperty("input_tokens").GetInt64() + r.GetProperty("output_tokens").GetInt64());
        Assert.InRange(charged, 150 - 60, 150);
        Assert.Equal(admitted, upstream.RequestCount);
    }

    [Fact]
    public async Task EnvoyDoor_StreamCancelledAfterThreeChunks_ChargedPromptPlusDeliveredNotReported()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        var body = Encoding.UTF8.GetBytes(Stream(Deltas, usage: true));
        upstream.Enqueue(FakeResponse.Sse(body));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60))
        {
            ChunkLengths = _ => EventLengths(body),
            CancelAfterResponseChunks = 3,
        };

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(Key), EnvoyChat(), Ct);

        // The response guardrails may still hold part of the text when the caller goes away; the provider produced and
        // sent all three chunks, and that is what it bills.
        Assert.StartsWith(StreamText(exchange.ResponseBody), string.Concat(Deltas[..3]), StringComparison.Ordinal);
        var record = await WaitForRecordAsync(r => Str(r, "door") == "envoy" && Str(r, "status") == "cancelled");
        AssertCharged(record, string.Concat(Deltas[..3]), "cancelled");
    }

    [Fact]
    public async Task EnvoyDoor_UpstreamReportsNoUsage_ChargedAndCallerWithoutIncludeUsageGetsNoUsageEvent()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas, usage: false)));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(Key), EnvoyChat(), Ct);

        Assert.Equal(200, exchange.Status);
        using (var sent = JsonDocument.Parse(upstream.Requests[^1].Body))
        {
            // The sidecar asked for usage although the caller did not.
            Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        }

        Assert.Equal(string.Concat(Deltas), StreamText(exchange.ResponseBody));
        var record = await WaitForRecordAsync(r => Str(r, "door") == "envoy" && Str(r, "status") == "ok");
        AssertCharged(record, string.Concat(Deltas), "usage_missing");
    }

    [Fact]
    public async Task EnvoyDoor_UsageForcedUpstream_StrippedForCallerThatDidNotAskKeptForOneThatDid()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas, usage: true)), FakeResponse.Sse(Stream(Deltas, usage: true)));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var silent = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(Key), EnvoyChat(), Ct);
        var asked = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(Key), EnvoyChat(includeUsage: true), Ct);

        Assert.Equal(string.Concat(Deltas), StreamText(silent.ResponseBody));
        Assert.DoesNotContain("\"usage\":{", Encoding.UTF8.GetString(silent.ResponseBody), StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(silent.ResponseBody), StringComparison.Ordinal);
        Assert.Equal(string.Concat(Deltas), StreamText(asked.ResponseBody));
        Assert.Contains("\"choices\":[],\"usage\":{\"prompt_tokens\":19", Encoding.UTF8.GetString(asked.ResponseBody), StringComparison.Ordinal);
        var records = await WaitForRecordsAsync(2, r => Str(r, "door") == "envoy" && Str(r, "status") == "ok");
        Assert.All(records, r => Assert.True(r.GetProperty("provider_reported").GetBoolean()));
        Assert.All(records, r => Assert.Equal(21, r.GetProperty("output_tokens").GetInt32()));
    }

    [Fact]
    public async Task EnvoyDoor_UpstreamCutBeforeDone_ChargedAsUpstreamCut()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Enqueue(FakeResponse.Sse(Stream(Deltas[..4], usage: false, done: false)));
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(Key), EnvoyChat(), Ct);

        Assert.Equal(200, exchange.Status);
        var record = await WaitForRecordAsync(r => Str(r, "door") == "envoy");
        AssertCharged(record, string.Concat(Deltas[..4]), "upstream_cut");
    }

    [Fact]
    public async Task EnvoyDoor_TokensPerMinuteSpentByCancelledStreams_NextCallRefused429()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        var body = Encoding.UTF8.GetBytes(Stream(Deltas, usage: true));
        upstream.Default = FakeResponse.Sse(body);
        await using var sidecar = await SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60))
        {
            ChunkLengths = _ => EventLengths(body),
            CancelAfterResponseChunks = 3,
        };

        var admitted = 0;
        EnvoyExchange? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", EnvoyHeaders(CappedKey), EnvoyChat(maxTokens: 8), Ct);
            if (exchange.Status == 429)
            {
                refused = exchange;
                break;
            }

            admitted++;
            await WaitForRecordsAsync(admitted, r => Str(r, "tenant_id") == "capped" && Str(r, "status") == "cancelled");
        }

        Assert.NotNull(refused);
        Assert.Contains("tokens per minute", Encoding.UTF8.GetString(refused.ResponseBody), StringComparison.Ordinal);
        var charged = (await WaitForRecordsAsync(admitted, r => Str(r, "tenant_id") == "capped" && Str(r, "status") == "cancelled"))
            .Sum(r => r.GetProperty("input_tokens").GetInt64() + r.GetProperty("output_tokens").GetInt64());
        Assert.InRange(charged, 150 - 60, 150);
    }

    // What the gateway's tokenizer says the prompt and the delivered text cost for gpt-4o-mini (o200k_base, exact).
    private static void AssertCharged(JsonElement record, string delivered, string reason)
    {
        var prompt = TokenCounter.Default.CountChat(new ChatTokenRequest { Model = Model, Messages = [ChatTokenMessage.Text("user", Prompt)] }).PromptTokens;
        var output = TokenCounter.Default.CountText(Model, delivered).Tokens;
        Assert.True(delivered.Length > 0, "the caller received nothing");
        Assert.Equal(
            (prompt, output, false, reason, false),
            (record.GetProperty("input_tokens").GetInt32(), record.GetProperty("output_tokens").GetInt32(), record.GetProperty("provider_reported").GetBoolean(),
                Str(record, "unreported_reason"), record.GetProperty("tokens_estimated").GetBoolean()));
    }

    private static string Stream(IReadOnlyList<string> deltas, bool usage, bool done = true)
    {
        var sb = new StringBuilder();
        foreach (var delta in deltas)
        {
            sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + Model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + delta + "\"},\"finish_reason\":null}]}\n\n");
        }

        if (done)
        {
            sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + Model + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            if (usage)
            {
                sb.Append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + Model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":21,\"total_tokens\":40}}\n\n");
            }

            sb.Append("data: [DONE]\n\n");
        }

        return sb.ToString();
    }

    private static IEnumerable<int> EventLengths(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var start = 0;
        int end;
        while ((end = text.IndexOf("\n\n", start, StringComparison.Ordinal)) >= 0)
        {
            yield return Encoding.UTF8.GetByteCount(text[start..(end + 2)]);
            start = end + 2;
        }
    }

    private static string StreamText(byte[] body)
    {
        var sb = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(line["data: ".Length..]);
                if (doc.RootElement.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                    && choices[0].GetProperty("delta").TryGetProperty("content", out var content))
                {
                    sb.Append(content.GetString());
                }
            }
        }

        return sb.ToString();
    }

    private static GenerateRequest Ask(string model) => new()
    {
        Model = model,
        Messages = { new V1.Message { Role = Role.User, Content = { new ContentPart { Text = Prompt } } } },
    };

    private static Metadata Auth(string key) => new() { { "authorization", "Bearer " + key } };

    private static Dictionary<string, string> EnvoyHeaders(string key) => new() { ["content-type"] = "application/json", ["authorization"] = "Bearer " + key };

    private static byte[] EnvoyChat(bool includeUsage = false, int? maxTokens = null) => Encoding.UTF8.GetBytes(
        "{\"model\":\"" + Model + "\",\"stream\":true"
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : string.Empty)
        + (maxTokens is { } m ? ",\"max_tokens\":" + m : string.Empty)
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}]}");

    private static string? Str(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<JsonElement> WaitForRecordAsync(Func<JsonElement, bool> match) => (await WaitForRecordsAsync(1, match))[0];

    // The ledger is written off the request path: read it until the records are there (bounded, never a timing assertion).
    private async Task<List<JsonElement>> WaitForRecordsAsync(int count, Func<JsonElement, bool> match)
    {
        for (var i = 0; i < 400; i++)
        {
            if (File.Exists(LedgerPath))
            {
                List<JsonElement> found;
                using (var stream = new FileStream(LedgerPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var reader = new StreamReader(stream))
                {
                    found = [.. (await reader.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Where(static l => l.EndsWith('}'))
                        .Select(static l => JsonDocument.Parse(l).RootElement.Clone())
                        .Where(match)];
                }

                if (found.Count >= count)
                {
                    return found;
                }
            }

            await Task.Delay(25, Ct);
        }

        throw new Xunit.Sdk.XunitException($"fewer than {count} matching ledger records in {LedgerPath}");
    }

    private string Yaml(Uri upstream) => $$"""
        tenants:
          - id: hostile
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: [ok, slow, {{Model}}]
          - id: capped
            api_keys: ["{{ApiKeyHash.Format(CappedKey)}}"]
            models: [ok, {{Model}}]
            limits:
              tokens_per_minute: 150
        providers:
          - { name: p0, kind: openai-compatible, base_url: '{{upstream}}v1', api_key: test-key }
          - { name: openai, kind: openai, api_key: sk-held-by-gateway }
        models:
          - { name: ok, targets: [ { provider: p0, model: {{Model}} } ], retry: { max_retries: 0 } }
          - { name: slow, targets: [ { provider: p0, model: {{Model}} } ], retry: { max_retries: 0 }, timeouts: { first_token_ms: 1500, total_ms: 1500 } }
        ledger:
          path: {{LedgerPath}}
        """;
}
