using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Bedrock;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Http;

/// <summary>What each provider puts on the wire (URL, auth headers, body) for one conversation, checked at the fake provider.</summary>
public sealed class ProviderWireTests : IAsyncLifetime
{
    private static readonly JsonElement WeatherSchema = JsonSerializer.SerializeToElement(
        new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" } }, ["additionalProperties"] = false });

    private static readonly ChatRequest Conversation = new()
    {
        Model = "chat",
        Messages =
        [
            ChatMessage.System("Be brief."),
            ChatMessage.User("Weather in Paris and Rome?"),
            new ChatMessage
            {
                Role = ChatRole.Assistant,
                ToolCalls = [new ChatToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"), new ChatToolCall("call_2", "get_weather", "{\"city\":\"Rome\"}")],
            },
            ChatMessage.ToolResult("call_1", "18C"),
            ChatMessage.ToolResult("call_2", "24C"),
        ],
        Tools = [new ChatToolDefinition { Name = "get_weather", Description = "Weather by city", ParametersSchema = WeatherSchema }],
        ToolChoice = ChatToolChoice.Required,
        MaxOutputTokens = 300,
        Temperature = 0.5,
        StopSequences = ["END"],
    };

    private FakeProviderServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await FakeProviderServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Anthropic_Conversation_SystemApartToolResultsMergedHeadersSet()
    {
        _server.Enqueue(FakeResponse.Json(RecordedFixtures.ReadText("vercel-ai-fixtures/anthropic/anthropic-text.json")));
        var provider = TestProviders.Create(_server, "anthropic");

        var result = await provider.CompleteAsync(Conversation, new ProviderTarget("anthropic", "claude-sonnet-4-5"), Ct);

        Assert.Equal("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?", result.Value!.Text);
        var sent = _server.Requests[^1];
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal("test-key", sent.Header("x-api-key"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version"));
        AssertJson(
            """
            {"model":"claude-sonnet-4-5","max_tokens":300,"system":"Be brief.",
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
               {"role":"assistant","content":[
                 {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
                 {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome"}}]},
               {"role":"user","content":[
                 {"type":"tool_result","tool_use_id":"call_1","content":"18C"},
                 {"type":"tool_result","tool_use_id":"call_2","content":"24C"}]}],
             "temperature":0.5,"stop_sequences":["END"],
             "tools":[{"name":"get_weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}],
             "tool_choice":{"type":"any"}}
            """,
            sent.BodyText);
    }

    [Fact]
    public async Task Gemini_ConversationStream_ContentsFunctionResponseNamedAndAltSse()
    {
        _server.Enqueue(FakeResponse.Sse(RecordedFixtures.ReadBytes("raw-sse/gemini__test_google__test_google_model_stream.sse")));
        var provider = TestProviders.Create(_server, "gemini", basePath: "v1beta");

        var (chunks, error) = await TestProviders.CollectAsync(provider.StreamAsync(Conversation, new ProviderTarget("gemini", "gemini-2.0-flash"), Ct));

        Assert.Null(error);
        Assert.Equal("The capital of France is Paris.\n", TestProviders.Accumulate(chunks).Text[..32]);
        var sent = _server.Requests[^1];
        Assert.Equal("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", sent.PathAndQuery);
        Assert.Equal("test-key", sent.Header("x-goog-api-key"));
        AssertJson(
            """
            {"contents":[
               {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
               {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}]},
               {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"18C"}}}]},
               {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"24C"}}}]}],
             "systemInstruction":{"parts":[{"text":"Be brief."}]},
             "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}],
             "toolConfig":{"functionCallingConfig":{"mode":"ANY"}},
             "generationConfig":{"temperature":0.5,"maxOutputTokens":300,"stopSequences":["END"]}}
            """,
            sent.BodyText);
    }

    [Fact]
    public async Task Bedrock_ConversationStream_SignedWithSigV4OverTheWirePath()
    {
        _server.Enqueue(FakeResponse.AwsEventStream(RecordedFixtures.ReadBytes("bedrock-eventstream-bin/test_bedrock_model_stream.eventstream.bin")));
        var provider = TestProviders.Create(_server, "bedrock", basePath: string.Empty, configure: o => o.Region = "us-east-1");

        var (chunks, error) = await TestProviders.CollectAsync(provider.StreamAsync(Conversation, new ProviderTarget("bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0"), Ct));

        Assert.Null(error);
        Assert.StartsWith("The capital of France is Paris.", TestProviders.Accumulate(chunks).Text, StringComparison.Ordinal);
        var sent = _server.Requests[^1];
        Assert.Equal("/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream", sent.PathAndQuery);
        var date = sent.Header("X-Amz-Date")!;
        var expected = SigV4Signer.Sign(
            "POST",
            sent.PathAndQuery,
            [],
            [new("host", _server.BaseUrl.Authority)],
            sent.Body,
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            null,
            "us-east-1",
            "bedrock",
            DateTimeOffset.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            signBody: true);
        Assert.Equal(expected.Authorization, sent.Header("Authorization"));
        Assert.Equal(expected.PayloadHash, sent.Header("X-Amz-Content-Sha256"));
        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date", expected.Authorization, StringComparison.Ordinal);
        AssertJson(
            """
            {"messages":[
               {"role":"user","content":[{"text":"Weather in Paris and Rome?"}]},
               {"role":"assistant","content":[{"toolUse":{"toolUseId":"call_1","name":"get_weather","input":{"city":"Paris"}}},{"toolUse":{"toolUseId":"call_2","name":"get_weather","input":{"city":"Rome"}}}]},
               {"role":"user","content":[{"toolResult":{"toolUseId":"call_1","content":[{"text":"18C"}]}},{"toolResult":{"toolUseId":"call_2","content":[{"text":"24C"}]}}]}],
             "system":[{"text":"Be brief."}],
             "inferenceConfig":{"maxTokens":300,"temperature":0.5,"stopSequences":["END"]},
             "toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather by city","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}}}],"toolChoice":{"any":{}}}}
            """,
            sent.BodyText);
    }

    [Theory]
    [InlineData(null, "api-key", "test-key")]
    [InlineData("bearer", "Authorization", "Bearer test-key")]
    public async Task AzureOpenAI_AuthMode_HeaderAndDeploymentUrl(string? authMode, string header, string value)
    {
        var cassette = Cassette.Load(RecordedFixtures.PathOf("envoy-ai-gateway-cassettes/azure-chat-basic.yaml"))[0];
        _server.Enqueue(cassette.ToFakeResponse());
        var provider = TestProviders.Create(_server, "azure-openai", basePath: string.Empty, configure: o =>
        {
            o.ApiVersion = "2024-12-01-preview";
            o.AuthMode = authMode;
        });

        var result = await provider.CompleteAsync(new ChatRequest { Model = "chat", Messages = [ChatMessage.User("Hello!")] }, new ProviderTarget("azure", "gpt-5-nano"), Ct);

        Assert.Equal(new ChatUsage { InputTokens = 8, OutputTokens = 271, ReasoningTokens = 192 }, result.Value!.Usage);
        var sent = _server.Requests[^1];
        Assert.Equal("/openai/deployments/gpt-5-nano/chat/completions?api-version=2024-12-01-preview", sent.PathAndQuery);
        Assert.Equal(value, sent.Header(header));
    }

    [Fact]
    public async Task OpenAI_ProviderOptions_MergedOverTranslatedBodyExceptPolicyFields()
    {
        _server.Enqueue(FakeResponse.OpenAIChat("ok"));
        var provider = TestProviders.Create(_server, "openai");
        var request = new ChatRequest
        {
            Model = "chat",
            Messages = [ChatMessage.User("hi")],
            Temperature = 0.2,
            ProviderOptions = JsonSerializer.SerializeToElement(new JsonObject
            {
                ["temperature"] = 0.9,
                ["service_tier"] = "flex",
                ["model"] = "gpt-4-EXPENSIVE",
                ["Messages"] = new JsonArray(),
                ["stream_options"] = new JsonObject { ["include_usage"] = false },
            }),
        };

        await provider.CompleteAsync(request, new ProviderTarget("openai", "gpt-4o-mini"), Ct);

        // The model, the messages and usage reporting are policy's: the doors refuse such options, and the merge never takes them.
        AssertJson("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.9,"service_tier":"flex"}""", _server.Requests[^1].BodyText);
    }

    [Fact]
    public async Task OpenAI_EmbedRecordedBase64Batch_VectorsInInputOrderAndUsage()
    {
        var cassette = Cassette.Load(RecordedFixtures.PathOf("envoy-ai-gateway-cassettes/embeddings-mixed-batch.yaml"))[0];
        _server.Enqueue(cassette.ToFakeResponse());
        var provider = (IEmbeddingProvider)TestProviders.Create(_server, "openai");
        var recorded = JsonNode.Parse(cassette.ResponseBody)!;

        var result = await provider.EmbedAsync(new EmbeddingRequest { Model = "e", Inputs = ["a", "b", "c", "d", "e"] }, new ProviderTarget("openai", "text-embedding-3-small"), Ct);

        Assert.Equal(5, result.Value!.Embeddings.Count);
        Assert.Equal((int)recorded["usage"]!["prompt_tokens"]!, result.Value.InputTokens);
        foreach (var item in recorded["data"]!.AsArray())
        {
            var bytes = Convert.FromBase64String((string)item!["embedding"]!);
            var vector = result.Value.Embeddings[(int)item["index"]!];
            Assert.Equal(bytes.Length / 4, vector.Length);
            Assert.Equal(BitConverter.ToSingle(bytes, 0), vector.Span[0]);
            Assert.Equal(BitConverter.ToSingle(bytes, bytes.Length - 4), vector.Span[^1]);
        }
    }

    [Fact]
    public async Task OpenAI_EmbedUnknownModelCassette_NotFoundWithProviderMessage()
    {
        var cassette = Cassette.Load(RecordedFixtures.PathOf("envoy-ai-gateway-cassettes/embeddings-unknown-model.yaml"))[0];
        _server.Enqueue(cassette.ToFakeResponse());
        var provider = (IEmbeddingProvider)TestProviders.Create(_server, "openai");

        var result = await provider.EmbedAsync(new EmbeddingRequest { Model = "e", Inputs = ["x"] }, new ProviderTarget("openai", "text-embedding-4-ultra"), Ct);

        Assert.Equal(ProviderErrorKind.NotFound, result.Error!.Kind);
        Assert.Equal((string)JsonNode.Parse(cassette.ResponseBody)!["error"]!["message"]!, result.Error.Message);
    }

    [Fact]
    public async Task Gemini_Embed_BatchEmbedContentsRequestAndVectors()
    {
        _server.Enqueue(FakeResponse.Json("""{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]}"""));
        var provider = (IEmbeddingProvider)TestProviders.Create(_server, "gemini", basePath: "v1beta");

        var result = await provider.EmbedAsync(new EmbeddingRequest { Model = "e", Inputs = ["a", "b"], Dimensions = 2 }, new ProviderTarget("gemini", "text-embedding-004"), Ct);

        Assert.Equal([0.3f, 0.4f], result.Value!.Embeddings[1].ToArray());
        Assert.Equal("/v1beta/models/text-embedding-004:batchEmbedContents", _server.Requests[^1].PathAndQuery);
        AssertJson(
            """{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]},"outputDimensionality":2},{"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]},"outputDimensionality":2}]}""",
            _server.Requests[^1].BodyText);
    }

    [Fact]
    public async Task Anthropic_Embed_Unsupported()
    {
        var provider = (IEmbeddingProvider)TestProviders.Create(_server, "anthropic");

        var result = await provider.EmbedAsync(new EmbeddingRequest { Model = "e", Inputs = ["a"] }, new ProviderTarget("anthropic", "x"), Ct);

        Assert.Equal(ProviderErrorKind.Unsupported, result.Error!.Kind);
        Assert.Equal(0, _server.RequestCount);
    }

    private static void AssertJson(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"expected {e!.ToJsonString()}\nactual   {a!.ToJsonString()}");
    }
}
