using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Core.Tokens;

/// <summary>Maps a Core <see cref="ChatRequest"/> onto the tokenizer's input, laid out as the OpenAI chat translator sends it.</summary>
/// <remarks>
/// Mirrors the wire body: one text part becomes plain content, an all-text system, tool or assistant message its joined
/// text, anything else content parts; reasoning parts are not sent and cost nothing here. Image sizes come from inline
/// bytes or a <c>data:</c> URL (PNG, GIF, JPEG, WebP headers); a remote URL's size is unknown and the count says so.
/// </remarks>
public static class ChatTokenRequestMapper
{
    /// <summary>The tokenizer input for <paramref name="request"/> sent to the provider model <paramref name="providerModel"/>.</summary>
    public static ChatTokenRequest ToTokenRequest(ChatRequest request, string providerModel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(providerModel);
        var messages = new List<ChatTokenMessage>(request.Messages.Count);
        foreach (var message in request.Messages)
        {
            messages.Add(Map(message));
        }

        var tools = new List<ChatTokenFunction>(request.Tools.Count);
        foreach (var tool in request.Tools)
        {
            tools.Add(new ChatTokenFunction(tool.Name, tool.Description, tool.ParametersSchema is { } schema ? Compact(schema) : null));
        }

        string? toolChoice = null;
        string? toolChoiceFunction = null;
        if (request.ToolChoice is { } choice)
        {
            switch (choice.Mode)
            {
                case ChatToolChoiceMode.Tool:
                    toolChoiceFunction = choice.ToolName;
                    break;
                case ChatToolChoiceMode.None:
                    toolChoice = "none";
                    break;
                case ChatToolChoiceMode.Required:
                    toolChoice = "required";
                    break;
                default:
                    toolChoice = "auto";
                    break;
            }
        }

        ChatTokenResponseFormat? format = null;
        if (request.ResponseFormat is { Kind: ChatResponseFormatKind.JsonSchema } rf)
        {
            format = new ChatTokenResponseFormat(rf.SchemaName ?? "response", rf.Schema is { } s ? Compact(s) : "{}");
        }

        return new ChatTokenRequest
        {
            Model = providerModel,
            Messages = messages,
            Tools = tools,
            ToolChoice = toolChoice,
            ToolChoiceFunction = toolChoiceFunction,
            ResponseFormat = format,
        };
    }

    private static ChatTokenMessage Map(ChatMessage message)
    {
        var role = message.Role switch
        {
            ChatRole.System => "system",
            ChatRole.Assistant => "assistant",
            ChatRole.Tool => "tool",
            _ => "user",
        };
        var sent = new List<ChatContentPart>(message.Content.Count);
        foreach (var part in message.Content)
        {
            if (part is not ReasoningContentPart)
            {
                sent.Add(part);
            }
        }

        string? content = null;
        IReadOnlyList<ChatTokenPart> parts = [];
        if (sent.Count == 1 && sent[0] is TextContentPart single)
        {
            content = single.Text;
        }
        else if (sent.TrueForAll(static p => p is TextContentPart) && message.Role is ChatRole.System or ChatRole.Tool or ChatRole.Assistant)
        {
            content = sent.Count == 0 ? null : string.Concat(sent.Select(static p => ((TextContentPart)p).Text));
        }
        else
        {
            parts = [.. sent.Select(ToPart)];
        }

        return new ChatTokenMessage
        {
            Role = role,
            Content = content,
            Parts = parts,
            Name = message.Name,
            ToolCalls = [.. message.ToolCalls.Select(static c => new ChatTokenToolCall(c.Name, c.ArgumentsJson))],
            ToolCallId = message.ToolCallId,
        };
    }

    private static ChatTokenPart ToPart(ChatContentPart part)
    {
        switch (part)
        {
            case TextContentPart text:
                return ChatTokenPart.FromText(text.Text);
            case ImageContentPart image:
                var detail = image.Detail switch
                {
                    "low" => ChatTokenImageDetail.Low,
                    "high" => ChatTokenImageDetail.High,
                    _ => ChatTokenImageDetail.Auto,
                };
                var size = image.Url is { } url ? ImageDimensions.FromDataUrl(url.OriginalString) : ImageDimensions.FromBytes(image.Data.Span);
                return ChatTokenPart.FromImage(size?.Width, size?.Height, detail);
            default:
                return new ChatTokenPart { Kind = ChatTokenPartKind.File };
        }
    }

    // The tokenizer parses the schema text itself (names, types, descriptions), so the raw JSON is what it needs.
    private static string Compact(JsonElement element) => element.GetRawText();
}
