using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Mesh.Gateway.Testing;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>The HTTP door: the app calls the sidecar's <c>/v1/chat/completions</c> with the official OpenAI .NET SDK, its base
/// URL set to the sidecar; the gateway routes to an <c>openai</c> provider on the fake upstream.</summary>
public sealed class HttpDoor(bool streams) : IDoor
{
    public string Name => streams ? "http chat stream" : "http chat";

    public bool Streams => streams;

    public string LedgerDoor => "http";

    public string GenAiProvider => "openai";

    public string Model(string logical) => logical;

    public FakeResponse Reply(IReadOnlyList<string> deltas) =>
        streams ? FakeResponse.OpenAIChatStream(deltas) : FakeResponse.OpenAIChat(string.Concat(deltas));

    public FakeResponse ToolCallReply(string name, string arguments) =>
        streams ? Guard.Tools.ToolReplies.Stream("openai", name, arguments, split: arguments.Length / 2) : Guard.Tools.ToolReplies.Whole("openai", name, arguments);

    public async Task<DoorOutcome> CallAsync(ParityRig rig, DoorCall request, CancellationToken cancellationToken)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(rig.Sidecar.HttpAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (request.TraceParent is { } traceParent)
        {
            options.AddPolicy(new HeaderPolicy("traceparent", traceParent), PipelinePosition.PerCall);
        }

        var client = new ChatClient(Model(request.Model), new ApiKeyCredential(request.ApiKey), options);
        var chat = new ChatCompletionOptions();
        foreach (var tool in request.Tools)
        {
            chat.Tools.Add(ChatTool.CreateFunctionTool(tool, "A tool", BinaryData.FromString("{\"type\":\"object\",\"properties\":{}}")));
        }

        List<ChatMessage> messages = [new UserChatMessage(request.Prompt)];
        if (request.ToolResult is { } result)
        {
            messages.Add(new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_1", DoorCall.ToolCallName, BinaryData.FromString(DoorCall.ToolCallArguments))]));
            messages.Add(new ToolChatMessage("call_1", result));
        }

        try
        {
            if (!streams)
            {
                ChatCompletion completion = await client.CompleteChatAsync(messages, chat, cancellationToken);
                return new DoorOutcome
                {
                    Text = string.Concat(completion.Content.Select(static p => p.Text)),
                    FinishReason = Finish(completion.FinishReason),
                    ToolArguments = [.. completion.ToolCalls.Select(static c => c.FunctionArguments.ToString())],
                };
            }

            var text = new System.Text.StringBuilder();
            string? finish = null;
            var tools = new SortedDictionary<int, System.Text.StringBuilder>();
            await foreach (var update in client.CompleteChatStreamingAsync(messages, chat, cancellationToken))
            {
                foreach (var part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }

                foreach (var tool in update.ToolCallUpdates)
                {
                    (tools.TryGetValue(tool.Index, out var arguments) ? arguments : tools[tool.Index] = new System.Text.StringBuilder()).Append(tool.FunctionArgumentsUpdate?.ToString());
                }

                finish = update.FinishReason is { } reason ? Finish(reason) : finish;
            }

            return new DoorOutcome { Text = text.ToString(), FinishReason = finish, ToolArguments = [.. tools.Values.Select(static b => b.ToString())] };
        }
        catch (ClientResultException ex)
        {
            return new DoorOutcome { Status = ex.Status, ErrorMessage = Message(ex), ErrorCode = Code(ex) };
        }
    }

    public override string ToString() => Name;

    /// <summary>The sidecar's <c>error.message</c> as the SDK received it in the error body.</summary>
    internal static string? Message(ClientResultException ex)
    {
        var body = ex.GetRawResponse()?.Content;
        if (body is null)
        {
            return ex.Message;
        }

        using var document = JsonDocument.Parse(body.ToMemory());
        return document.RootElement.GetProperty("error").GetProperty("message").GetString();
    }

    /// <summary>The sidecar's <c>error.code</c> as the SDK received it in the error body.</summary>
    internal static string? Code(ClientResultException ex)
    {
        var body = ex.GetRawResponse()?.Content;
        if (body is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(body.ToMemory());
        return document.RootElement.GetProperty("error").TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
    }

    private static string Finish(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.ContentFilter => "content_filter",
        _ => reason.ToString(),
    };

    private sealed class HeaderPolicy(string name, string value) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            await ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
