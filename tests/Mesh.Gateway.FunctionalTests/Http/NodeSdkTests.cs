using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>The official Node SDKs, npm <c>openai</c> and <c>@anthropic-ai/sdk</c> (tests/Http/node, installed by tests/run.sh
/// from its lock file), unmodified but for the base URL, against the HTTP door in front of fake upstreams of each provider kind.</summary>
public sealed class NodeSdkTests(HttpDoorFixture fixture) : IClassFixture<HttpDoorFixture>
{
    private static readonly string Script = Path.Combine(ExternalCommand.RepositoryRoot, "tests", "Http", "node", "sdk.mjs");

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task OpenAISdk_ChatUnaryAndStream_EachProviderKind(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text(provider, "Hi from " + provider));
        var whole = await RunAsync("openai-chat", UpstreamReplies.Model(provider));
        Assert.Equal("Hi from " + provider, whole.GetProperty("text").GetString());
        Assert.Equal("stop", whole.GetProperty("finish").GetString());
        Assert.Equal(7, whole.GetProperty("input").GetInt32());
        Assert.Equal(4, whole.GetProperty("output").GetInt32());

        fixture.Upstream.Enqueue(UpstreamReplies.TextStream(provider, "Hi from " + provider));
        var streamed = await RunAsync("openai-stream", UpstreamReplies.Model(provider));
        Assert.Equal("Hi from " + provider, streamed.GetProperty("text").GetString());
        Assert.Equal("stop", streamed.GetProperty("finish").GetString());
        Assert.Equal(7, streamed.GetProperty("input").GetInt32());
        Assert.Equal(4, streamed.GetProperty("output").GetInt32());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task BothSdks_ToolCall_EachProviderKind(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.ToolCall(provider));
        var openai = await RunAsync("openai-tools", UpstreamReplies.Model(provider));
        Assert.Equal("tool_calls", openai.GetProperty("finish").GetString());
        Assert.Equal("get_weather", openai.GetProperty("name").GetString());
        Assert.Equal("Paris", openai.GetProperty("args").GetProperty("city").GetString());

        fixture.Upstream.Enqueue(UpstreamReplies.ToolCall(provider));
        var anthropic = await RunAsync("anthropic-tools", UpstreamReplies.Model(provider));
        Assert.Equal("tool_use", anthropic.GetProperty("stop").GetString());
        Assert.Equal("get_weather", anthropic.GetProperty("name").GetString());
        Assert.Equal("Paris", anthropic.GetProperty("args").GetProperty("city").GetString());
    }

    [Fact]
    public async Task OpenAISdk_Embeddings_DecodesBase64Vectors()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Embeddings(2));
        var result = await RunAsync("openai-embed", "text-embedding-3-small");
        Assert.Equal(2, result.GetProperty("count").GetInt32());
        Assert.Equal([0.5, -0.25, 1], result.GetProperty("second").EnumerateArray().Select(static v => v.GetDouble()).ToArray());
        Assert.Equal(6, result.GetProperty("input").GetInt32());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task OpenAISdk_Responses_UnaryAndStream(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text(provider, "Hello via responses"));
        var whole = await RunAsync("openai-responses", UpstreamReplies.Model(provider));
        Assert.Equal("Hello via responses", whole.GetProperty("text").GetString());
        Assert.Equal("completed", whole.GetProperty("status").GetString());
        Assert.Equal(7, whole.GetProperty("input").GetInt32());

        fixture.Upstream.Enqueue(UpstreamReplies.TextStream(provider, "Hello via responses"));
        var streamed = await RunAsync("openai-responses-stream", UpstreamReplies.Model(provider));
        Assert.Equal("Hello via responses", streamed.GetProperty("text").GetString());
        Assert.Equal("Hello via responses", streamed.GetProperty("finalText").GetString());
        Assert.Equal(4, streamed.GetProperty("output").GetInt32());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task AnthropicSdk_MessagesUnaryAndStream_EachProviderKind(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text(provider, "Hey from " + provider));
        var whole = await RunAsync("anthropic-message", UpstreamReplies.Model(provider));
        Assert.Equal("Hey from " + provider, whole.GetProperty("text").GetString());
        Assert.Equal("end_turn", whole.GetProperty("stop").GetString());
        Assert.Equal(7, whole.GetProperty("input").GetInt32());
        Assert.Equal(4, whole.GetProperty("output").GetInt32());

        fixture.Upstream.Enqueue(UpstreamReplies.TextStream(provider, "Hey from " + provider));
        var streamed = await RunAsync("anthropic-stream", UpstreamReplies.Model(provider));
        Assert.Equal("Hey from " + provider, streamed.GetProperty("text").GetString());
        Assert.Equal("Hey from " + provider, streamed.GetProperty("finalText").GetString());
        Assert.Equal("end_turn", streamed.GetProperty("stop").GetString());
        Assert.Equal(7, streamed.GetProperty("input").GetInt32());
        Assert.Equal(4, streamed.GetProperty("output").GetInt32());
    }

    [Theory]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("claude", false)]
    public async Task AnthropicSdk_CountTokens_ExactWhereTheEncodingIsKnown(string model, bool exact)
    {
        var result = await RunAsync("anthropic-count", model);
        Assert.True(result.GetProperty("input").GetInt32() > 0);
        Assert.Equal(exact, result.GetProperty("exact").GetBoolean());
    }

    [Theory]
    [InlineData("openai-error", "mgw-not-a-key", "gpt-4o-mini", "AuthenticationError", 401)]
    [InlineData("openai-error", HttpDoorFixture.Key, "no-such-model", "NotFoundError", 404)]
    [InlineData("openai-error", HttpDoorFixture.NarrowKey, "claude", "PermissionDeniedError", 403)]
    [InlineData("openai-error", HttpDoorFixture.Key, "down", "InternalServerError", 503)]
    [InlineData("anthropic-error", "mgw-not-a-key", "claude", "AuthenticationError", 401)]
    [InlineData("anthropic-error", HttpDoorFixture.Key, "no-such-model", "NotFoundError", 404)]
    [InlineData("anthropic-error", HttpDoorFixture.NarrowKey, "claude", "PermissionDeniedError", 403)]
    [InlineData("anthropic-error", HttpDoorFixture.Key, "down", "InternalServerError", 503)]
    public async Task BothSdks_Refusal_OwnErrorClassAndStatus(string testCase, string key, string model, string errorClass, int status)
    {
        var error = (await RunAsync(testCase, model, key)).GetProperty("error");
        Assert.Equal(errorClass, error.GetProperty("cls").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
    }

    /// <summary>A body over http.max_request_bytes (413, which neither SDK has a class of its own for), and a body cut short on
    /// the wire (400): each SDK raises its own error type with the status.</summary>
    [Theory]
    [InlineData("openai-large-error", "gpt-4o-mini", "APIError", 413)]
    [InlineData("anthropic-large-error", "claude", "APIError", 413)]
    [InlineData("openai-malformed-error", "gpt-4o-mini", "BadRequestError", 400)]
    [InlineData("anthropic-malformed-error", "claude", "BadRequestError", 400)]
    public async Task BothSdks_BodyTooLargeOrMalformed_OwnErrorClassAndStatus(string testCase, string model, string errorClass, int status)
    {
        var requests = fixture.Upstream.Requests.Count;

        var error = (await RunAsync(testCase, model)).GetProperty("error");

        Assert.Equal(errorClass, error.GetProperty("cls").GetString());
        Assert.Equal(status, error.GetProperty("status").GetInt32());
        Assert.Equal(requests, fixture.Upstream.Requests.Count);
    }

    /// <summary>The upstream failing (a 500: the door's 502) or rate limiting with its own hint: the SDK's class, and the
    /// provider's retry-after handed on.</summary>
    [Theory]
    [InlineData("openai-error", "gpt-4o-mini")]
    [InlineData("anthropic-error", "claude")]
    public async Task BothSdks_UpstreamFailedOrRateLimited_OwnErrorClassStatusAndProvidersRetryAfter(string testCase, string model)
    {
        var provider = model == "claude" ? "anthropic" : "openai";
        fixture.Upstream.Enqueue(provider == "anthropic" ? FakeResponse.Json("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}", 500) : FakeResponse.ServerError());
        var failed = (await RunAsync(testCase, model)).GetProperty("error");
        Assert.Equal("InternalServerError", failed.GetProperty("cls").GetString());
        Assert.Equal(502, failed.GetProperty("status").GetInt32());

        fixture.Upstream.Enqueue(FakeResponse.RateLimited(TimeSpan.FromSeconds(7)));
        var limited = (await RunAsync(testCase, model)).GetProperty("error");
        Assert.Equal("RateLimitError", limited.GetProperty("cls").GetString());
        Assert.Equal(429, limited.GetProperty("status").GetInt32());
        Assert.Equal("7", limited.GetProperty("retryAfter").GetString());
    }

    public static TheoryData<string, string> RecordedStreams()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in RecordedStream.All.Keys.Order(StringComparer.Ordinal))
        {
            data.Add("openai-stream", name);
            data.Add("anthropic-stream", name);
        }

        return data;
    }

    /// <summary>Each recorded provider stream replayed behind the door gives each npm SDK the text and usage expected.json
    /// derived from the recording independently (what <c>OpenAIDotNetSdkTests</c> shows for the .NET SDK).</summary>
    [Theory]
    [MemberData(nameof(RecordedStreams))]
    public async Task BothSdks_RecordedProviderStream_SameTextAndUsage(string testCase, string fixtureName)
    {
        var recorded = RecordedStream.All[fixtureName];
        fixture.Upstream.Enqueue(FakeResponse.Sse(RecordedFixtures.ReadBytes(fixtureName)).SplitRandomly(seed: fixtureName.Length));

        var result = await RunAsync(testCase, recorded.Model, HttpDoorFixture.RawKey);

        Assert.Equal(recorded.Text, result.GetProperty("text").GetString());
        Assert.Equal(recorded.InputTokens, result.GetProperty("input").GetInt32());
        Assert.Equal(recorded.OutputTokens, result.GetProperty("output").GetInt32());
    }

    [Fact]
    public async Task BothSdks_LimitExceeded_RateLimitErrorWithRetryAfter()
    {
        fixture.Upstream.Enqueue(FakeResponse.OpenAIChat("first"));
        var first = await RunAsync("openai-chat", "gpt-4o-mini", HttpDoorFixture.NodeLimitedKey);
        Assert.Equal("first", first.GetProperty("text").GetString());

        foreach (var testCase in (string[])["openai-error", "anthropic-error"])
        {
            var error = (await RunAsync(testCase, "gpt-4o-mini", HttpDoorFixture.NodeLimitedKey)).GetProperty("error");
            Assert.Equal("RateLimitError", error.GetProperty("cls").GetString());
            Assert.Equal(429, error.GetProperty("status").GetInt32());
            Assert.True(int.Parse(error.GetProperty("retryAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        }
    }

    private async Task<JsonElement> RunAsync(string testCase, string model, string key = HttpDoorFixture.Key)
    {
        var (code, output) = await ExternalCommand.RunAsync(
            "node", [Script, fixture.Sidecar.HttpAddress.ToString().TrimEnd('/'), key, testCase, model], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"node {testCase} exited {code}: {output}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).First(static l => l.StartsWith('{'));
        var result = JsonDocument.Parse(line).RootElement.Clone();
        Assert.True(testCase.EndsWith("-error", StringComparison.Ordinal) || !result.TryGetProperty("error", out _), $"node {testCase}: {line}");
        return result;
    }
}
