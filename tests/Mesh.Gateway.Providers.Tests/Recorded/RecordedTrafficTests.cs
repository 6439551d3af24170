using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.AwsEventStream;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Recorded;

/// <summary>
/// Every recorded body and stream of a supported provider, replayed by the fake provider on loopback (whole, and split at
/// seeded random boundaries) through the real provider: the text, tool calls, finish reason and usage (or the error) must
/// match Fixtures/expected/expected.json, which make_expected.py derived from the recordings independently.
/// </summary>
public sealed class RecordedTrafficTests : IClassFixture<FakeServerFixture>
{
    private readonly FakeProviderServer _server;

    public RecordedTrafficTests(FakeServerFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _server = fixture.Server;
    }

    private static readonly string[] VercelFolders = ["openai-chat", "azure", "openai-responses", "anthropic", "google", "amazon-bedrock"];

    public static TheoryData<string> CaseNames => [.. RecordedCase.Cases.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Replay_WholeBody_MatchesRecordedContent(string name)
    {
        var c = RecordedCase.Cases[name];
        await ReplayAndAssertAsync(c, BuildResponse(c));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Replay_SplitAtRandomBoundaries_MatchesRecordedContent(string name)
    {
        var c = RecordedCase.Cases[name];
        var response = BuildResponse(c);
        var seed = StableSeed(name);
        await ReplayAndAssertAsync(c, response.SplitRandomly(seed, maxChunkSize: response.Body.Length > 20_000 ? 257 : 13));
    }

    [Fact]
    public void Cases_CoverEverySupportedRecording()
    {
        var files = RecordedFixtures.Files("raw-sse", "*.sse")
            .Concat(RecordedFixtures.Files("bedrock-eventstream-bin", "*.bin"))
            .Concat(VercelFolders.SelectMany(d => RecordedFixtures.Files("vercel-ai-fixtures/" + d, "*.*")))
            .Concat(RecordedFixtures.Files("envoy-ai-gateway-cassettes", "*chat*.yaml"))
            .Where(f => !f.Contains("completion-streaming", StringComparison.Ordinal)) // legacy /v1/completions: not a supported API
            .ToList();
        var covered = RecordedCase.Cases.Values.Select(c => c.Fixture).ToHashSet(StringComparer.Ordinal);

        var missing = files.Where(f => !covered.Contains(f)).ToList();
        Assert.True(missing.Count == 0, "not covered: " + string.Join(", ", missing));
        Assert.True(covered.Count > 200);
    }

    private static int StableSeed(string name)
    {
        var h = 17;
        foreach (var ch in name)
        {
            h = unchecked((h * 31) + ch);
        }

        return h & 0x7fffffff;
    }

    private async Task ReplayAndAssertAsync(RecordedCase c, FakeResponse response)
    {
        var ct = TestContext.Current.CancellationToken;
        var provider = CreateProvider(c.Schema);
        var request = new ChatRequest { Model = "m", Messages = [ChatMessage.User("replay")] };
        var target = new ProviderTarget(provider.Name, "model-x");
        var expect = c.Expect;
        var streamed = c.Replay is "sse" or "chunks" or "eventstream" || (c.Replay == "cassette" && c.Stream);
        ChatResponse? actual = null;
        ProviderError? error;
        var before = _server.RequestCount;
        _server.Enqueue(response); // tests of one class run one at a time, so the queue holds just this response

        if (streamed)
        {
            var (chunks, streamError) = await TestProviders.CollectAsync(provider.StreamAsync(request, target, ct));
            error = streamError;
            actual = TestProviders.Accumulate(chunks);
        }
        else
        {
            var result = await provider.CompleteAsync(request, target, ct);
            error = result.Error;
            actual = result.Value;
        }

        Assert.Equal(before + 1, _server.RequestCount);
        Assert.Contains(RequestPath(c.Schema), _server.Requests[^1].PathAndQuery, StringComparison.Ordinal);
        if (expect["error"] is JsonObject expectedError)
        {
            Assert.NotNull(error);
            Assert.Contains((string)expectedError["message"]!, error.Message, StringComparison.Ordinal);
            if ((string?)expectedError["kind"] is { } kind)
            {
                Assert.Equal(kind, error.Kind.ToString());
            }

            return;
        }

        Assert.Null(error);
        Assert.NotNull(actual);
        Assert.Equal((string)expect["text"]!, actual.Text);
        Assert.Equal((string)expect["finish"]!, actual.FinishReason.ToString());
        var usage = expect["usage"]!;
        Assert.Equal(
            new ChatUsage { InputTokens = (int)usage["input"]!, OutputTokens = (int)usage["output"]!, CachedInputTokens = (int)usage["cached"]!, ReasoningTokens = (int)usage["reasoning"]! },
            actual.Usage with { CacheWriteInputTokens = 0 });
        var calls = expect["tool_calls"]!.AsArray();
        Assert.Equal(calls.Count, actual.ToolCalls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal((string)calls[i]!["id"]!, actual.ToolCalls[i].Id);
            Assert.Equal((string)calls[i]!["name"]!, actual.ToolCalls[i].Name);
            var args = calls[i]!["arguments"]!;
            if (args.GetValueKind() == JsonValueKind.String)
            {
                Assert.Equal((string)args!, actual.ToolCalls[i].ArgumentsJson);
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(args, JsonNode.Parse(actual.ToolCalls[i].ArgumentsJson)), $"arguments of call {i}: expected {args.ToJsonString()}, got {actual.ToolCalls[i].ArgumentsJson}");
            }
        }
    }

    private static string RequestPath(string schema) => schema switch
    {
        "openai-responses" => "/responses",
        "anthropic" => "/messages",
        "gemini" => "/models/",
        "bedrock" => "/model/",
        "azure-openai" => "/openai/deployments/",
        _ => "/chat/completions",
    };

    private IChatProvider CreateProvider(string schema) => schema switch
    {
        "openai-chat" => TestProviders.Create(_server, "openai"),
        "openai-compatible" => TestProviders.Create(_server, "openai-compatible"),
        "openai-responses" => TestProviders.Create(_server, "openai", configure: o => o.Api = "responses"),
        "azure-openai" => TestProviders.Create(_server, "azure-openai", basePath: string.Empty, configure: o => o.ApiVersion = "2024-12-01-preview"),
        "anthropic" => TestProviders.Create(_server, "anthropic"),
        "gemini" => TestProviders.Create(_server, "gemini", basePath: "v1beta"),
        "bedrock" => TestProviders.Create(_server, "bedrock", basePath: string.Empty, configure: o => o.Region = "us-east-1"),
        _ => throw new ArgumentOutOfRangeException(nameof(schema), schema, null),
    };

    internal static FakeResponse BuildResponse(RecordedCase c)
    {
        switch (c.Replay)
        {
            case "sse":
                return FakeResponse.Sse(RecordedFixtures.ReadBytes(c.Fixture));
            case "eventstream":
                return FakeResponse.AwsEventStream(RecordedFixtures.ReadBytes(c.Fixture));
            case "json":
                return FakeResponse.Recorded(c.Status, "application/json", RecordedFixtures.ReadBytes(c.Fixture));
            case "cassette":
                return Cassette.Load(RecordedFixtures.PathOf(c.Fixture))[c.Interaction].ToFakeResponse();
            case "chunks":
                var lines = File.ReadAllLines(RecordedFixtures.PathOf(c.Fixture)).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
                return c.Schema == "bedrock" ? FakeResponse.AwsEventStream(BedrockEvents(lines)) : FakeResponse.Sse(SseFromChunks(c.Schema, lines));
            default:
                throw new InvalidOperationException(c.Replay);
        }
    }

    /// <summary>Re-frames decoded events as the provider sends them (each provider's own SSE habits).</summary>
    private static string SseFromChunks(string schema, List<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines)
        {
            switch (schema)
            {
                case "anthropic" or "openai-responses":
                    sb.Append("event: ").Append(EventType(line)).Append('\n').Append("data: ").Append(line).Append("\n\n");
                    break;
                case "gemini":
                    sb.Append("data: ").Append(line).Append("\r\n\r\n");
                    break;
                default:
                    sb.Append("data: ").Append(line).Append("\n\n");
                    break;
            }
        }

        if (schema == "openai-chat")
        {
            sb.Append("data: [DONE]\n\n");
        }

        return sb.ToString();
    }

    private static string EventType(string line)
    {
        try
        {
            return (string?)JsonNode.Parse(line)?["type"] ?? "message";
        }
        catch (JsonException)
        {
            return "message"; // the recording itself holds broken JSON; the translator must report it
        }
    }

    private static byte[] BedrockEvents(List<string> lines)
    {
        using var body = new MemoryStream();
        foreach (var line in lines)
        {
            var (key, value) = JsonNode.Parse(line)!.AsObject().Single();
            body.Write(EventStreamEncoder.Event(key, value!.ToJsonString()));
        }

        return body.ToArray();
    }
}
