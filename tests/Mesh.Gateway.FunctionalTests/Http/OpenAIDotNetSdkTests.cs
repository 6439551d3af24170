using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Testing;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>The official OpenAI .NET SDK (NuGet <c>OpenAI</c>), unmodified but for its endpoint, against the sidecar's HTTP
/// door in front of fake upstreams of each provider kind: what the SDK's types show is what the app would see.</summary>
public sealed class OpenAIDotNetSdkTests(HttpDoorFixture fixture) : IClassFixture<HttpDoorFixture>
{
    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool(
        "get_weather", "The weather in a city", BinaryData.FromString("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task CompleteChat_EachProviderKind_TextFinishAndUsage(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text(provider, "Bonjour from " + provider));
        var client = fixture.OpenAI().GetChatClient(UpstreamReplies.Model(provider));

        ChatCompletion completion = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Bonjour from " + provider, completion.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(7, completion.Usage.InputTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        Assert.Equal(UpstreamReplies.Model(provider), completion.Model);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task CompleteChat_ToolCallFromEachProviderKind_ReachesSdkAsToolCall(string provider)
    {
        fixture.Upstream.Enqueue(UpstreamReplies.ToolCall(provider));
        var client = fixture.OpenAI().GetChatClient(UpstreamReplies.Model(provider));
        var options = new ChatCompletionOptions { Tools = { Weather }, ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather") };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options, TestContext.Current.CancellationToken);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments.ToString()).RootElement.GetProperty("city").GetString());

        // The tool reached the provider in its own schema.
        var sent = fixture.Upstream.Requests[^1].BodyText;
        Assert.Contains("get_weather", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_ToolResultTurn_ReachesAnthropicAsToolResultBlock()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text("anthropic", "It is sunny."));
        var client = fixture.OpenAI().GetChatClient("claude");
        ChatMessage[] conversation =
        [
            new UserChatMessage("Weather in Paris?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("toolu_1", "get_weather", BinaryData.FromString(UpstreamReplies.ToolArguments))]),
            new ToolChatMessage("toolu_1", "sunny, 21C"),
        ];

        ChatCompletion completion = await client.CompleteChatAsync(conversation, new ChatCompletionOptions { Tools = { Weather } }, TestContext.Current.CancellationToken);

        Assert.Equal("It is sunny.", completion.Content.Single().Text);
        using var sent = JsonDocument.Parse(fixture.Upstream.Requests[^1].BodyText);
        var blocks = sent.RootElement.GetProperty("messages").EnumerateArray().SelectMany(static m => m.GetProperty("content").ValueKind == JsonValueKind.Array ? m.GetProperty("content").EnumerateArray() : []).ToList();
        Assert.Contains(blocks, static b => b.GetProperty("type").GetString() == "tool_use" && b.GetProperty("id").GetString() == "toolu_1");
        Assert.Contains(blocks, static b => b.GetProperty("type").GetString() == "tool_result" && b.GetProperty("tool_use_id").GetString() == "toolu_1");
    }

    [Fact]
    public async Task CompleteChatStreaming_OpenAIUpstream_DeltasInOrderAndUsage()
    {
        fixture.Upstream.Enqueue(FakeResponse.OpenAIChatStream(["Hel", "lo", " there"], inputTokens: 9, outputTokens: 3).SplitRandomly(seed: 7));
        var client = fixture.OpenAI().GetChatClient("gpt-4o-mini");
        var deltas = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken))
        {
            deltas.AddRange(update.ContentUpdate.Select(static p => p.Text));
            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        Assert.Equal("Hello there", string.Concat(deltas));
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(9, usage?.InputTokenCount);
        Assert.Equal(3, usage?.OutputTokenCount);
    }

    public static TheoryData<string> RecordedStreams => [.. RecordedStream.All.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Each recorded provider stream replayed behind the door gives the SDK the text and usage expected.json derived
    /// from the recording independently.</summary>
    [Theory]
    [MemberData(nameof(RecordedStreams))]
    public async Task CompleteChatStreaming_RecordedProviderStream_SameTextAndUsage(string fixtureName)
    {
        var recorded = RecordedStream.All[fixtureName];
        fixture.Upstream.Enqueue(FakeResponse.Sse(RecordedFixtures.ReadBytes(fixtureName)).SplitRandomly(seed: fixtureName.Length));
        var client = fixture.OpenAI(HttpDoorFixture.RawKey).GetChatClient(recorded.Model);
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("replay")], cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        Assert.Equal(recorded.Text, text.ToString());
        Assert.Equal(recorded.InputTokens, usage?.InputTokenCount);
        Assert.Equal(recorded.OutputTokens, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task GenerateEmbeddings_SdkDefaultBase64_VectorsAndUsage()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Embeddings(2));
        var client = fixture.OpenAI().GetEmbeddingClient("text-embedding-3-small");

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["one", "two"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal([0.5f, -0.25f, 1f], embeddings[1].ToFloats().ToArray());
        Assert.Equal(6, embeddings.Usage.InputTokenCount);
    }

    [Fact]
    public async Task ListModels_NarrowKey_OnlyItsModels()
    {
        var models = await fixture.OpenAI(HttpDoorFixture.NarrowKey).GetOpenAIModelClient().GetModelsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["gpt-4o-mini"], models.Value.Select(static m => m.Id).ToArray());
    }

    [Fact]
    public async Task Errors_EachRefusal_ClientResultExceptionWithStatusAndGatewayMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<ClientResultException> Refused(string key, string model, Action? before = null)
        {
            before?.Invoke();
            return await Assert.ThrowsAsync<ClientResultException>(() => fixture.OpenAI(key).GetChatClient(model).CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: ct));
        }

        var badKey = await Refused("mgw-not-a-key", "gpt-4o-mini");
        Assert.Equal(401, badKey.Status);
        Assert.Contains("invalid_api_key", badKey.Message, StringComparison.Ordinal);

        var unknown = await Refused(HttpDoorFixture.Key, "no-such-model");
        Assert.Equal(404, unknown.Status);
        Assert.Contains("no-such-model", Parity.HttpDoor.Message(unknown), StringComparison.Ordinal);

        var notAllowed = await Refused(HttpDoorFixture.NarrowKey, "claude");
        Assert.Equal(403, notAllowed.Status);
        Assert.Equal("Tenant 'narrow' may not use the model 'claude'.", Parity.HttpDoor.Message(notAllowed));

        fixture.Upstream.Enqueue(FakeResponse.OpenAIChat("first"));
        await fixture.OpenAI(HttpDoorFixture.LimitedKey).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: ct);
        var limited = await Refused(HttpDoorFixture.LimitedKey, "gpt-4o-mini");
        Assert.Equal(429, limited.Status);
        Assert.True(limited.GetRawResponse()!.Headers.TryGetValue("retry-after", out var retryAfter) && int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture) > 0, "no retry-after");

        var upstream429 = await Refused(HttpDoorFixture.Key, "gpt-4o-mini", () => fixture.Upstream.Enqueue(FakeResponse.RateLimited(TimeSpan.FromSeconds(7))));
        Assert.Equal(429, upstream429.Status);
        Assert.Equal("7", upstream429.GetRawResponse()!.Headers.TryGetValue("retry-after", out var hint) ? hint : null);

        var down = await Refused(HttpDoorFixture.Key, "down");
        Assert.Equal(503, down.Status);

        var failed = await Refused(HttpDoorFixture.Key, "gpt-4o-mini", () => fixture.Upstream.Enqueue(FakeResponse.ServerError()));
        Assert.Equal(502, failed.Status);
    }

    [Fact]
    public async Task Errors_MalformedJsonAndBodyTooLarge_ProtocolMethodRaises400And413()
    {
        var client = fixture.OpenAI().GetChatClient("gpt-4o-mini");

        var malformed = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString("{\"model\":")), new RequestOptions()));
        Assert.Equal(400, malformed.Status);
        Assert.Contains("invalid_json", malformed.Message, StringComparison.Ordinal);

        var large = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', HttpDoorFixture.MaxRequestBytes) + "\"}]}";
        var tooLarge = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(large)), new RequestOptions()));
        Assert.Equal(413, tooLarge.Status);
    }

    [Fact]
    public async Task CompleteChat_FieldNoProviderCarries_400NamingIt()
    {
        var client = fixture.OpenAI().GetChatClient("gpt-4o-mini");
        var options = new ChatCompletionOptions { IncludeLogProbabilities = true };

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")], options, TestContext.Current.CancellationToken));

        Assert.Equal(400, refused.Status);
        Assert.StartsWith("logprobs:", Parity.HttpDoor.Message(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_RouteDropsUnsupportedFields_AnsweredWithoutThem()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text("openai", "Dropped."));
        var client = fixture.OpenAI().GetChatClient("lenient");
        var options = new ChatCompletionOptions { IncludeLogProbabilities = true };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hi")], options, TestContext.Current.CancellationToken);

        Assert.Equal("Dropped.", completion.Content.Single().Text);
        Assert.DoesNotContain("logprobs", fixture.Upstream.Requests[^1].BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_BedrockConverseUpstream_TextAndUsageSignedRequest()
    {
        fixture.Upstream.Enqueue(UpstreamReplies.Text("bedrock", "Hello from Bedrock"));
        var client = fixture.OpenAI().GetChatClient("bedrock");

        ChatCompletion completion = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Hello from Bedrock", completion.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(7, completion.Usage.InputTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        var sent = fixture.Upstream.Requests[^1];
        Assert.EndsWith("/converse", sent.PathAndQuery, StringComparison.Ordinal);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", sent.Headers["authorization"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(sent.Body);
        Assert.Equal("Be brief.", body.RootElement.GetProperty("system")[0].GetProperty("text").GetString());
    }
}
