using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.V1;
using Microsoft.Extensions.AI;
using AI = Microsoft.Extensions.AI;

namespace Mesh.Gateway.Client;

/// <summary>An <see cref="IChatClient"/> over the sidecar's Inference API.</summary>
internal sealed class MeshChatClient(MeshInferenceClient client, string? defaultModel) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("mesh.gateway", defaultModelId: defaultModel);

    public async Task<AI.ChatResponse> GetResponseAsync(IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GenerateAsync(ToRequest(messages, options), cancellationToken).ConfigureAwait(false);
        var contents = new List<AIContent>();
        if (response.Reasoning.Length > 0)
        {
            contents.Add(new TextReasoningContent(response.Reasoning) { ProtectedData = NullIfEmpty(response.ReasoningSignature) });
        }

        if (response.Text.Length > 0)
        {
            contents.Add(new TextContent(response.Text));
        }

        foreach (var call in response.ToolCalls)
        {
            contents.Add(new FunctionCallContent(call.Id, call.Name, ParseArguments(call.Arguments)));
        }

        return new AI.ChatResponse(new AI.ChatMessage(ChatRole.Assistant, contents))
        {
            ResponseId = NullIfEmpty(response.Id),
            ModelId = NullIfEmpty(response.ProviderModel),
            FinishReason = ToFinishReason(response.FinishReason),
            Usage = ToUsage(response.Usage),
            RawRepresentation = response,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AI.ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        string? responseId = null;
        string? model = null;
        await foreach (var chunk in client.GenerateStreamAsync(ToRequest(messages, options), cancellationToken).ConfigureAwait(false))
        {
            responseId ??= NullIfEmpty(chunk.Id);
            model ??= NullIfEmpty(chunk.ProviderModel);
            foreach (var delta in chunk.ToolCalls)
            {
                if (!calls.TryGetValue(delta.Index, out var call))
                {
                    call = (delta.Id, delta.Name, new StringBuilder());
                    calls.Add(delta.Index, call);
                }

                call.Arguments.Append(delta.Arguments);
            }

            var update = new ChatResponseUpdate { Role = ChatRole.Assistant, ResponseId = responseId, ModelId = model, RawRepresentation = chunk };
            if (chunk.Reasoning.Length > 0)
            {
                update.Contents.Add(new TextReasoningContent(chunk.Reasoning));
            }

            if (chunk.Text.Length > 0)
            {
                update.Contents.Add(new TextContent(chunk.Text));
            }

            if (chunk.FinishReason != V1.FinishReason.Unspecified)
            {
                // Tool calls are handed on whole, as Microsoft.Extensions.AI expects, once the stream says the turn is over.
                foreach (var (_, (id, name, arguments)) in calls)
                {
                    update.Contents.Add(new FunctionCallContent(id, name, ParseArguments(arguments.ToString())));
                }

                calls.Clear();
                update.FinishReason = ToFinishReason(chunk.FinishReason);
                if (chunk.Usage is { } usage)
                {
                    update.Contents.Add(new UsageContent(ToUsage(usage)!));
                }
            }

            if (update.Contents.Count > 0 || update.FinishReason is not null)
            {
                yield return update;
            }
        }
    }

    public object? GetService(System.Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(MeshInferenceClient) ? client
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The MeshInferenceClient owns the channel.
    }

    internal GenerateRequest ToRequest(IEnumerable<AI.ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = new GenerateRequest { Model = options?.ModelId ?? defaultModel ?? throw new InvalidOperationException("No model: set ChatOptions.ModelId or pass a default model to AsIChatClient.") };
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            request.Messages.Add(new V1.Message { Role = Role.System, Content = { new ContentPart { Text = instructions } } });
        }

        foreach (var message in messages)
        {
            AddMessage(request, message);
        }

        if (options is null)
        {
            return request;
        }

        if (options.Temperature is { } temperature)
        {
            request.Temperature = temperature;
        }

        if (options.TopP is { } topP)
        {
            request.TopP = topP;
        }

        if (options.TopK is { } topK)
        {
            request.TopK = topK;
        }

        if (options.MaxOutputTokens is { } max)
        {
            request.MaxOutputTokens = max;
        }

        if (options.FrequencyPenalty is { } frequency)
        {
            request.FrequencyPenalty = frequency;
        }

        if (options.PresencePenalty is { } presence)
        {
            request.PresencePenalty = presence;
        }

        if (options.Seed is { } seed)
        {
            request.Seed = seed;
        }

        if (options.AllowMultipleToolCalls is { } parallel)
        {
            request.ParallelToolCalls = parallel;
        }

        if (options.StopSequences is { } stops)
        {
            request.Stop.AddRange(stops);
        }

        if (options.Reasoning?.Effort is { } effort)
        {
            request.ReasoningEffort = effort switch
            {
                AI.ReasoningEffort.None => V1.ReasoningEffort.None,
                AI.ReasoningEffort.Low => V1.ReasoningEffort.Low,
                AI.ReasoningEffort.Medium => V1.ReasoningEffort.Medium,
                _ => V1.ReasoningEffort.High,
            };
        }

        if (options.ConversationId is { Length: > 0 } conversation)
        {
            request.Metadata = new RequestMetadata { ConversationId = conversation };
        }

        switch (options.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema } json:
                request.ResponseFormat = new ResponseFormat
                {
                    Type = ResponseFormatType.JsonSchema,
                    SchemaName = json.SchemaName ?? "response",
                    JsonSchema = Struct.Parser.ParseJson(schema.GetRawText()),
                };
                break;
            case ChatResponseFormatJson:
                request.ResponseFormat = new ResponseFormat { Type = ResponseFormatType.JsonObject };
                break;
        }

        foreach (var tool in options.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration function)
            {
                request.Tools.Add(new Tool
                {
                    Name = function.Name,
                    Description = function.Description ?? string.Empty,
                    Parameters = Struct.Parser.ParseJson(function.JsonSchema.GetRawText()),
                });
            }
        }

        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                request.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.None };
                break;
            case AutoChatToolMode:
                request.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Auto };
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                request.ToolChoice = new ToolChoice { ToolName = name };
                break;
            case RequiredChatToolMode:
                request.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.Required };
                break;
        }

        return request;
    }

    private static void AddMessage(GenerateRequest request, AI.ChatMessage message)
    {
        var role = message.Role == ChatRole.System ? Role.System
            : message.Role == ChatRole.Assistant ? Role.Assistant
            : message.Role == ChatRole.Tool ? Role.Tool
            : Role.User;
        var proto = new V1.Message { Role = role, Name = message.AuthorName ?? string.Empty };
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    proto.Content.Add(new ContentPart { Text = text.Text });
                    break;
                case TextReasoningContent reasoning:
                    proto.Content.Add(new ContentPart { Reasoning = new ReasoningPart { Text = reasoning.Text, Signature = reasoning.ProtectedData ?? string.Empty } });
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    proto.Content.Add(new ContentPart { Image = new Image { Data = ByteString.CopyFrom(data.Data.Span), MediaType = data.MediaType } });
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    proto.Content.Add(new ContentPart { Image = new Image { Url = uri.Uri.ToString() } });
                    break;
                case FunctionCallContent call:
                    proto.ToolCalls.Add(new ToolCall { Id = call.CallId, Name = call.Name, Arguments = JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))) });
                    break;
                case FunctionResultContent result:
                    // Each tool result is its own tool message, as the providers expect.
                    request.Messages.Add(new V1.Message
                    {
                        Role = Role.Tool,
                        ToolCallId = result.CallId,
                        Content = { new ContentPart { Text = result.Result as string ?? JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object))) } },
                    });
                    break;
            }
        }

        if (proto.Content.Count > 0 || proto.ToolCalls.Count > 0)
        {
            request.Messages.Add(proto);
        }
    }

    private static Dictionary<string, object?>? ParseArguments(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            // Through the options' type info, not the reflection-based generic overload: the client stays usable in a Native AOT app.
            return (Dictionary<string, object?>?)JsonSerializer.Deserialize(json, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>)));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static AI.ChatFinishReason? ToFinishReason(V1.FinishReason reason) => reason switch
    {
        V1.FinishReason.Stop => AI.ChatFinishReason.Stop,
        V1.FinishReason.Length => AI.ChatFinishReason.Length,
        V1.FinishReason.ToolCalls => AI.ChatFinishReason.ToolCalls,
        V1.FinishReason.ContentFilter => AI.ChatFinishReason.ContentFilter,
        V1.FinishReason.Unspecified => null,
        _ => new AI.ChatFinishReason("other"),
    };

    private static UsageDetails? ToUsage(V1.Usage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokens,
        OutputTokenCount = usage.OutputTokens,
        TotalTokenCount = usage.TotalTokens,
        CachedInputTokenCount = usage.CachedInputTokens,
        ReasoningTokenCount = usage.ReasoningTokens,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
