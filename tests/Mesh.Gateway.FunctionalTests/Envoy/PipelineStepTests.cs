using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>A Core pipeline step runs on the Envoy door as on the gRPC door: one that answers the call itself becomes Envoy's
/// local reply in the provider's shape (the official OpenAI SDK parses it), one that changes the request's text changes the
/// body that goes upstream, and one that reads the answer sees the streamed text and usage Envoy's response phases carry.</summary>
public sealed class PipelineStepTests(EnvoyDoorFixture fixture) : IClassFixture<EnvoyDoorFixture>, IAsyncLifetime
{
    private FakeProviderServer _front = null!;

    public async ValueTask InitializeAsync() => _front = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _front.DisposeAsync();

    [Fact]
    public async Task StepAnswers_WholeCall_OpenAISdkReadsTheCompletion()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Chat("What is the capital of France?", stream: false));

        Assert.NotNull(reply.ImmediateResponse);
        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        ServeReply(reply.ImmediateResponse);
        var client = Client();
        var completion = await client.CompleteChatAsync([new UserChatMessage("What is the capital of France?")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Paris (from a step).", completion.Value.Content[0].Text);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, completion.Value.FinishReason);
        Assert.Equal(12, completion.Value.Usage.InputTokenCount);
        Assert.Equal(5, completion.Value.Usage.OutputTokenCount);
        Assert.Equal("ok", session.Record!.Status);
        Assert.Equal(5, session.Record.OutputTokens);
    }

    [Fact]
    public async Task StepAnswers_StreamedCall_OpenAISdkReadsTheStream()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Chat("What is the capital of France?", stream: true));

        Assert.StartsWith("text/event-stream", reply.ImmediateResponse.Headers.SetHeaders.Single(h => h.Header.Key == "content-type").Header.RawValue.ToStringUtf8(), StringComparison.Ordinal);
        ServeReply(reply.ImmediateResponse);
        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("What is the capital of France?")], cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish = update.FinishReason ?? finish;
        }

        Assert.Equal("Paris (from a step).", text.ToString());
        Assert.Equal(OpenAI.Chat.ChatFinishReason.Stop, finish);
    }

    // Anthropic's documented shapes (a message body; message_start, content_block_*, message_delta, message_stop events),
    // with usage in Anthropic's convention: input without cache reads, output in message_delta.
    [Fact]
    public async Task StepAnswers_AnthropicMessages_WholeMessageInAnthropicsShape()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Messages("What is the capital of France?", stream: false), "/v1/messages");

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(reply.ImmediateResponse.Body.ToByteArray());
        var root = doc.RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("assistant", root.GetProperty("role").GetString());
        Assert.Equal("text", root.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("Paris (from a step).", root.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", root.GetProperty("stop_reason").GetString());
        Assert.Equal(12, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(5, root.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("ok", session.Record!.Status);
        Assert.Equal(5, session.Record.OutputTokens);
    }

    [Fact]
    public async Task StepAnswers_AnthropicMessagesStreamed_EventsInAnthropicsOrder()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Messages("What is the capital of France?", stream: true), "/v1/messages");

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        Assert.StartsWith("text/event-stream", reply.ImmediateResponse.Headers.SetHeaders.Single(h => h.Header.Key == "content-type").Header.RawValue.ToStringUtf8(), StringComparison.Ordinal);
        var events = reply.ImmediateResponse.Body.ToStringUtf8().Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(static e => (Name: e.Split('\n')[0]["event: ".Length..], Data: JsonDocument.Parse(e.Split('\n')[1]["data: ".Length..]).RootElement))
            .ToList();

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], events.Select(static e => e.Name));
        Assert.All(events, static e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.Equal("Paris (from a step).", string.Concat(events.Where(static e => e.Name == "content_block_delta").Select(static e => e.Data.GetProperty("delta").GetProperty("text").GetString())));
        Assert.Equal(12, events[0].Data.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal("end_turn", events[5].Data.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(5, events[5].Data.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    // Gemini's documented shapes: a GenerateContentResponse, or one per SSE event (streamGenerateContent?alt=sse), the last
    // with the finish reason and usageMetadata.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StepAnswers_Gemini_GenerateContentResponsesInGeminisShape(bool stream)
    {
        var session = Session(new Answering());
        var path = stream ? "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse" : "/v1beta/models/gemini-2.0-flash:generateContent";
        var reply = await SendRequestAsync(session, Encoding.UTF8.GetBytes("""{"contents":[{"role":"user","parts":[{"text":"What is the capital of France?"}]}]}"""), path);

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        var body = reply.ImmediateResponse.Body.ToStringUtf8();
        var responses = stream
            ? body.Split("\r\n\r\n", StringSplitOptions.RemoveEmptyEntries).Select(static e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList()
            : [JsonDocument.Parse(body).RootElement];

        Assert.Equal(stream ? 2 : 1, responses.Count);
        Assert.Equal("Paris (from a step).", string.Concat(responses.Select(static r => r.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString())));
        Assert.All(responses, static r => Assert.Equal("model", r.GetProperty("candidates")[0].GetProperty("content").GetProperty("role").GetString()));
        var last = responses[^1];
        Assert.Equal("STOP", last.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(12, last.GetProperty("usageMetadata").GetProperty("promptTokenCount").GetInt32());
        Assert.Equal(5, last.GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt32());
        Assert.Equal("ok", session.Record!.Status);
    }

    // The Responses API's shapes: a response object with one assistant message; its event stream as the API sends it.
    [Fact]
    public async Task StepAnswers_OpenAIResponses_ResponseObjectInTheResponsesShape()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","input":"What is the capital of France?"}"""), "/v1/responses");

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(reply.ImmediateResponse.Body.ToByteArray());
        var root = doc.RootElement;
        Assert.Equal("response", root.GetProperty("object").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var message = Assert.Single(root.GetProperty("output").EnumerateArray().ToList());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("Paris (from a step).", message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(12, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(5, root.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("ok", session.Record!.Status);
    }

    [Fact]
    public async Task StepAnswers_OpenAIResponsesStreamed_EventsInTheResponsesOrder()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","input":"What is the capital of France?","stream":true}"""), "/v1/responses");

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        var events = reply.ImmediateResponse.Body.ToStringUtf8().Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(static e => (Name: e.Split('\n')[0]["event: ".Length..], Data: JsonDocument.Parse(e.Split('\n')[1]["data: ".Length..]).RootElement)).ToList();
        Assert.All(events, static e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.Equal(
            ["response.created", "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
             "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Select(static e => e.Name));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(static e => e.Data.GetProperty("sequence_number").GetInt32()));
        Assert.Equal("Paris (from a step).", string.Concat(events.Where(static e => e.Name == "response.output_text.delta").Select(static e => e.Data.GetProperty("delta").GetString())));
        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal("Paris (from a step).", completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(12, completed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal("ok", session.Record!.Status);
    }

    // The official OpenAI SDK asks for base64 vectors by default and reads them.
    [Fact]
    public async Task StepAnswers_OpenAIEmbeddings_OpenAISdkReadsTheVectors()
    {
        var session = Session(new Answering());
        var reply = await SendRequestAsync(session, Encoding.UTF8.GetBytes("""{"model":"text-embedding-3-small","input":["one","two"],"encoding_format":"base64"}"""), "/v1/embeddings");

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        ServeReply(reply.ImmediateResponse);
        var client = new OpenAI.Embeddings.EmbeddingClient("text-embedding-3-small", new ApiKeyCredential("mgw-app-key"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_front.BaseUrl, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var embeddings = (await client.GenerateEmbeddingsAsync(["one", "two"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal(2, embeddings.Count);
        Assert.Equal([0.5f, -0.25f, 1f], embeddings[1].ToFloats().ToArray());
        Assert.Equal(6, embeddings.Usage.InputTokenCount);
        Assert.Equal("ok", session.Record!.Status);
        Assert.Equal(6, session.Record.InputTokens);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StepAnswers_GeminiEmbed_SingleOrBatchInGeminisShape(bool batch)
    {
        var session = Session(new Answering());
        var (path, body) = batch
            ? ("/v1beta/models/text-embedding-004:batchEmbedContents", """{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"one"}]}},{"model":"models/text-embedding-004","content":{"parts":[{"text":"two"}]}}]}""")
            : ("/v1beta/models/text-embedding-004:embedContent", """{"content":{"parts":[{"text":"one"}]}}""");
        var reply = await SendRequestAsync(session, Encoding.UTF8.GetBytes(body), path);

        Assert.Equal(200, (int)reply.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(reply.ImmediateResponse.Body.ToByteArray());
        var vectors = batch
            ? doc.RootElement.GetProperty("embeddings").EnumerateArray().Select(static e => e.GetProperty("values").EnumerateArray().Select(static v => v.GetSingle()).ToArray()).ToList()
            : [doc.RootElement.GetProperty("embedding").GetProperty("values").EnumerateArray().Select(static v => v.GetSingle()).ToArray()];
        Assert.Equal(batch ? 2 : 1, vectors.Count);
        Assert.Equal([0.5f, -0.25f, vectors.Count - 1f], vectors[^1]);
    }

    [Fact]
    public async Task StepRefuses_ErrorInTheProvidersShape()
    {
        var session = Session(new Answering { Refuse = true });
        var reply = await SendRequestAsync(session, Chat("hello", stream: false));

        Assert.Equal(403, (int)reply.ImmediateResponse.Status.Code);
        using var doc = JsonDocument.Parse(reply.ImmediateResponse.Body.ToByteArray());
        Assert.Equal("permission_denied", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task StepChangesTheRequestText_BodyUpstreamCarriesIt()
    {
        var session = Session(new Rewriting());
        var reply = await SendRequestAsync(session, Chat("hello", stream: false));

        var body = reply.RequestBody.Response.BodyMutation.Body.ToStringUtf8();
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("hello (decorated)", doc.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture),
            reply.RequestBody.Response.HeaderMutation.SetHeaders.Single(h => h.Header.Key == "content-length").Header.RawValue.ToStringUtf8());
    }

    [Fact]
    public async Task StepReadsTheStreamedAnswer_SeesTextAndUsageEnvoyCarried()
    {
        var observer = new Observing();
        var session = Session(observer);
        var reply = await SendRequestAsync(session, Chat("hello", stream: true));
        Assert.Null(reply.ImmediateResponse);

        await session.HandleAsync(ResponseHeaders("text/event-stream"), TestContext.Current.CancellationToken);
        var sse = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo there\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n"
            + "data: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(sse);
        for (var i = 0; i < bytes.Length; i += 40)
        {
            var end = Math.Min(bytes.Length, i + 40);
            await session.HandleAsync(ResponseBody(bytes.AsSpan(i, end - i), end == bytes.Length), TestContext.Current.CancellationToken);
        }

        await session.EndAsync(cancelled: false, TestContext.Current.CancellationToken);

        Assert.Equal("Hello there", observer.Text.ToString());
        Assert.Equal(7, observer.Usage!.InputTokens);
        Assert.True(observer.Ended);
    }

    // Regression: a step that awaits something truly asynchronous before passing the call on (the cache's Redis lookup) was
    // taken for a step that answered, and the door then waited for an answer only the response phases bring: a hang.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsynchronousStepBeforeTheUpstream_CallGoesUpstreamAndTheStepSeesTheAnswer(bool stream)
    {
        var step = new Deferring();
        var session = Session(step);
        var reply = await SendRequestAsync(session, Chat("hello", stream)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Null(reply.ImmediateResponse);
        Assert.NotNull(reply.RequestBody);
        if (stream)
        {
            await session.HandleAsync(ResponseHeaders("text/event-stream"), TestContext.Current.CancellationToken);
            var sse = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there\"}}]}\n\n"
                + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n"
                + "data: [DONE]\n\n";
            await session.HandleAsync(ResponseBody(Encoding.UTF8.GetBytes(sse), endOfStream: true), TestContext.Current.CancellationToken);
        }
        else
        {
            await session.HandleAsync(ResponseHeaders("application/json"), TestContext.Current.CancellationToken);
            var json = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello there\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}";
            await session.HandleAsync(ResponseBody(Encoding.UTF8.GetBytes(json), endOfStream: true), TestContext.Current.CancellationToken);
        }

        await session.EndAsync(cancelled: false, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal("Hello there", step.Text.ToString());
        Assert.Equal(7, step.Usage!.InputTokens);
        Assert.Equal("ok", session.Record!.Status);
    }

    private ExtProcSession Session(IInferenceStep step)
    {
        // The step inside the sidecar's own limits step, as a registered step sits (the limits step admits, settles, records).
        var services = fixture.Sidecar.Services;
        var limits = services.GetServices<InferenceStepRegistration>().Single(static r => r.Order == InferenceStepOrder.Limits).Factory(services);
        var deps = services.GetRequiredService<ExtProcDependencies>() with
        {
            Pipeline = new EnvoyPipeline(new InferencePipelineBuilder().AddStep(limits).AddStep(step).Build(DoorUpstream.Terminal)),
        };
        return new ExtProcSession(deps);
    }

    private static async Task<ProcessingResponse> SendRequestAsync(ExtProcSession session, byte[] body, string path = "/v1/chat/completions")
    {
        var metadata = new Metadata();
        metadata.FilterMetadata["envoy.filters.http.ext_authz"] = new Struct { Fields = { ["tenant"] = Value.ForString("team-a") } };
        var headers = new HttpHeaders { Headers = Map(new Dictionary<string, string>
        {
            [":method"] = "POST",
            [":path"] = path,
            ["content-type"] = "application/json",
            ["content-length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }) };
        await session.HandleAsync(new ProcessingRequest { RequestHeaders = headers, MetadataContext = metadata }, TestContext.Current.CancellationToken);
        return (await session.HandleAsync(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(body), EndOfStream = true } }, TestContext.Current.CancellationToken))!;
    }

    private static ProcessingRequest ResponseHeaders(string contentType) => new()
    {
        ResponseHeaders = new HttpHeaders { Headers = Map(new Dictionary<string, string> { [":status"] = "200", ["content-type"] = contentType }) },
    };

    private static ProcessingRequest ResponseBody(ReadOnlySpan<byte> chunk, bool endOfStream) => new()
    {
        ResponseBody = new HttpBody { Body = ByteString.CopyFrom(chunk), EndOfStream = endOfStream },
    };

    private static HeaderMap Map(Dictionary<string, string> headers)
    {
        var map = new HeaderMap();
        foreach (var (k, v) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        return map;
    }

    // Serves Envoy's local reply over real HTTP, as Envoy would, for the SDK to read.
    private void ServeReply(ImmediateResponse reply) => _front.Enqueue(new FakeResponse
    {
        Status = (int)reply.Status.Code,
        ContentType = reply.Headers.SetHeaders.Single(h => h.Header.Key == "content-type").Header.RawValue.ToStringUtf8(),
        Body = reply.Body.ToByteArray(),
    });

    private ChatClient Client() => new("gpt-4o-mini", new ApiKeyCredential("mgw-app-key"), new OpenAIClientOptions
    {
        Endpoint = new Uri(_front.BaseUrl, "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private static byte[] Messages(string prompt, bool stream) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { model = "claude-3-5-haiku-latest", max_tokens = 64, stream, messages = new[] { new { role = "user", content = prompt } } }));

    private static byte[] Chat(string prompt, bool stream) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { model = "gpt-4o-mini", stream, messages = new[] { new { role = "user", content = prompt } } }));

    // A tiny cache-like step: answers every call itself (or refuses it).
    private sealed class Answering : IInferenceStep
    {
        public bool Refuse { get; init; }

        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            if (Refuse)
            {
                return ValueTask.FromResult(InferenceResult.Failure(new GatewayError { Code = GatewayErrorCode.PermissionDenied, Reason = GatewayErrorReasons.PermissionDenied, Message = "Not today." }));
            }

            if (context.EmbeddingRequest is { } embeddings)
            {
                return ValueTask.FromResult(InferenceResult.FromEmbeddings(new Core.Embeddings.EmbeddingResponse
                {
                    Embeddings = [.. embeddings.Inputs.Select(static (_, i) => new ReadOnlyMemory<float>([0.5f, -0.25f, i])) ],
                    InputTokens = 6,
                }));
            }

            var usage = new ChatUsage { InputTokens = 12, OutputTokens = 5 };
            return ValueTask.FromResult(context.IsStreaming
                ? InferenceResult.FromStream(Stream(usage))
                : InferenceResult.FromResponse(new ChatResponse { Text = "Paris (from a step).", FinishReason = Core.Chat.ChatFinishReason.Stop, Usage = usage }));
        }

        private static async IAsyncEnumerable<InferenceStreamItem> Stream(ChatUsage usage)
        {
            await Task.Yield();
            yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = "Paris " });
            yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = "(from a step)." });
            yield return InferenceStreamItem.FromChunk(new ChatChunk { FinishReason = Core.Chat.ChatFinishReason.Stop, Usage = usage });
        }
    }

    private sealed class Rewriting : IInferenceStep
    {
        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            var chat = context.ChatRequest!;
            context.ChatRequest = chat with { Messages = [.. chat.Messages.Select(m => Core.Chat.ChatMessage.User(m.Text + " (decorated)"))] };
            return nextStep(context, cancellationToken);
        }
    }

    // Awaits a timer (as a store lookup would) before passing the call on, then reads the answer, whole or streamed.
    private sealed class Deferring : IInferenceStep
    {
        public StringBuilder Text { get; } = new();

        public ChatUsage? Usage { get; private set; }

        public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
            if (result.Response is { } response)
            {
                Text.Append(response.Text);
                Usage = response.Usage;
                return result;
            }

            return InferenceResult.FromStream(Observe(result.Stream!, cancellationToken));
        }

        private async IAsyncEnumerable<InferenceStreamItem> Observe(IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                Text.Append(item.Chunk?.TextDelta);
                Usage = item.Chunk?.Usage ?? Usage;
                yield return item;
            }
        }
    }

    private sealed class Observing : IInferenceStep
    {
        public StringBuilder Text { get; } = new();

        public ChatUsage? Usage { get; private set; }

        public bool Ended { get; private set; }

        public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
            return InferenceResult.FromStream(Observe(result.Stream!, cancellationToken));
        }

        private async IAsyncEnumerable<InferenceStreamItem> Observe(IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    Text.Append(item.Chunk?.TextDelta);
                    Usage = item.Chunk?.Usage ?? Usage;
                    yield return item;
                }
            }
            finally
            {
                Ended = true;
            }
        }
    }
}
