using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Gateway.Tokenizers.Chat;

/// <summary>Counts the prompt tokens of a chat request by the model's <see cref="ChatPromptFormat"/>.</summary>
/// <remarks>
/// Classic (OpenAI cookbook, "How to count tokens with tiktoken"; hmarr/openai-chat-tokens for tools): each message
/// costs 3 plus the tokens of its role, content and name (+1 with a name); the reply is primed with 3. Tools cost the
/// rendered namespace plus 9, minus 4 when a system message exists (the first system message gains a trailing
/// newline); tool_choice "none" costs 1, a forced function 4 plus its name.
/// Reasoning (fitted to recorded gpt-5 usage: the basic, developer, multi-turn, tools and forced-tool cassettes):
/// each message costs 3 plus role and content, an assistant message in the history 2 more, the reply 2. Tools go
/// into the first system or developer message as "# Instructions\n\n{content}\n\n# Tools\n\n## functions\n\n{namespace}",
/// or into a developer message of their own, plus 81 (the system message that declares the tool channel).
/// </remarks>
internal static class ChatTokenAccounting
{
    private const int ReasoningToolsOverhead = 81;
    private const string ToolsHeader = "# Tools\n\n## functions\n\n";

    public static ChatTokenCount Count(ChatTokenRequest request, ModelTokenizer tokenizer)
    {
        TiktokenEncoding encoding = tokenizer.Encoding;
        int T(string? text) => string.IsNullOrEmpty(text) ? 0 : encoding.CountTokens(text, SpecialTokenPolicy.AsText);

        ChatTokenApproximations approximations = tokenizer.Kind == TokenCountKind.Estimate
            ? ChatTokenApproximations.OtherProvider
            : ChatTokenApproximations.None;
        ChatPromptFormat format = tokenizer.Format;
        if (format == ChatPromptFormat.Search)
        {
            approximations |= ChatTokenApproximations.SearchModel;
        }

        bool hasTools = request.Tools.Count > 0;
        string? tools = hasTools ? FunctionDefinitionFormatter.Format(request.Tools) : null;
        int firstSystem = -1;
        for (int i = 0; i < request.Messages.Count; i++)
        {
            if (request.Messages[i].Role is "system" or "developer")
            {
                firstSystem = i;
                break;
            }
        }

        int total = 0;
        int images = 0;
        int toolTokens = 0;
        for (int i = 0; i < request.Messages.Count; i++)
        {
            ChatTokenMessage message = request.Messages[i];
            int content = T(message.Content);
            if (hasTools && i == firstSystem)
            {
                string merged = format == ChatPromptFormat.Reasoning
                    ? "# Instructions\n\n" + message.Content + "\n\n" + ToolsHeader + tools
                    : message.Content + "\n";
                int withTools = T(merged);
                toolTokens += withTools - content;
                content = withTools;
            }

            content += PartTokens(message, tokenizer, T, ref images, ref approximations);
            if (format == ChatPromptFormat.Search)
            {
                total += content;
                continue;
            }

            int tokens = 3 + T(message.Role) + content;
            if (!string.IsNullOrEmpty(message.Name))
            {
                tokens += T(message.Name) + 1;
            }

            if (format == ChatPromptFormat.Reasoning && message.Role == "assistant")
            {
                tokens += 2; // the final channel: <|channel|>final
            }

            foreach (ChatTokenToolCall call in message.ToolCalls)
            {
                approximations |= ChatTokenApproximations.ToolHistory;
                tokens += format == ChatPromptFormat.Reasoning
                    ? 3 + T("assistant") + 2 + T("commentary to=functions." + call.Name + " json") + T(call.Arguments)
                    : 3 + T(call.Name) + T(call.Arguments);
            }

            if (message.Role is "tool" or "function")
            {
                approximations |= ChatTokenApproximations.ToolHistory;
                if (message.Role == "function" && format == ChatPromptFormat.Classic)
                {
                    tokens -= 2; // measured by hmarr/openai-chat-tokens against the API
                }
            }

            total += tokens;
        }

        if (format != ChatPromptFormat.Search)
        {
            total += format == ChatPromptFormat.Reasoning ? 2 : 3;
        }

        if (hasTools)
        {
            int definitions = format switch
            {
                ChatPromptFormat.Reasoning => ReasoningToolsOverhead
                    + (firstSystem >= 0 ? 0 : 3 + T("developer") + T(ToolsHeader + tools)),
                _ => T(tools) + 9 - (firstSystem >= 0 ? 4 : 0) + ToolChoiceTokens(request, T),
            };
            toolTokens += definitions;
            total += definitions;
        }

        if (request.ResponseFormat is { } responseFormat)
        {
            approximations |= ChatTokenApproximations.ResponseFormat;
            total += 3 + T("developer") + T("# Response Formats\n\n## " + responseFormat.Name + "\n\n" + CompactSchema(responseFormat.SchemaJson));
        }

        if (tokenizer.Kind == TokenCountKind.Estimate)
        {
            total = tokenizer.Scale(total);
        }

        TokenCountKind kind = approximations == ChatTokenApproximations.None ? TokenCountKind.Exact : TokenCountKind.Estimate;
        return new ChatTokenCount(total, kind, encoding.Name, approximations, images, toolTokens);
    }

    private static int PartTokens(ChatTokenMessage message, ModelTokenizer tokenizer, Func<string?, int> count,
        ref int images, ref ChatTokenApproximations approximations)
    {
        int tokens = 0;
        foreach (ChatTokenPart part in message.Parts)
        {
            switch (part.Kind)
            {
                case ChatTokenPartKind.Text:
                    tokens += count(part.Text);
                    break;
                case ChatTokenPartKind.Image:
                    int image = ImageTokenCalculator.Count(tokenizer.ImageRule, part.ImageWidth, part.ImageHeight, part.ImageDetail, out bool assumed);
                    if (assumed)
                    {
                        approximations |= ChatTokenApproximations.ImageSizeUnknown;
                    }

                    images += image;
                    tokens += image;
                    break;
                case ChatTokenPartKind.Audio:
                    // Fitted to one recording (gpt-4o-audio-preview: a 0.135 s clip cost 4 text tokens and 1 audio token).
                    approximations |= ChatTokenApproximations.Audio;
                    tokens += 4 + Math.Max(1, (int)Math.Floor((part.AudioSeconds ?? 1.0) * 10));
                    break;
                default:
                    approximations |= ChatTokenApproximations.File;
                    break;
            }
        }

        return tokens;
    }

    private static int ToolChoiceTokens(ChatTokenRequest request, Func<string?, int> count)
    {
        if (!string.IsNullOrEmpty(request.ToolChoiceFunction))
        {
            return 4 + count(request.ToolChoiceFunction);
        }

        return request.ToolChoice == "none" ? 1 : 0;
    }

    // The schema as compact JSON without "title" keywords, which the recorded counts suggest are dropped.
    private static string CompactSchema(string schemaJson)
    {
        try
        {
            JsonNode? node = JsonNode.Parse(schemaJson);
            RemoveTitles(node);
            return node?.ToJsonString() ?? string.Empty;
        }
        catch (JsonException)
        {
            return schemaJson;
        }
    }

    private static void RemoveTitles(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("title");
                foreach (KeyValuePair<string, JsonNode?> child in obj)
                {
                    RemoveTitles(child.Value);
                }

                break;
            case JsonArray array:
                foreach (JsonNode? child in array)
                {
                    RemoveTitles(child);
                }

                break;
        }
    }
}
