using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>What a call is charged when its provider reported no usage: the prompt that went upstream and the output delivered,
/// counted with the gateway's tokenizer (exact for OpenAI's encodings, the documented estimate otherwise).</summary>
internal static class UnreportedUsage
{
    /// <summary>Counts the call. A reasoning model bills reasoning it never delivers, so its output is charged at least
    /// <paramref name="reservedOutputTokens"/> (what admission reserved for it); that figure is an estimate.</summary>
    public static (ChatUsage Usage, bool Estimated) Count(TokenCounter tokens, ChatRequest? request, string model, DeliveredOutput output, long reservedOutputTokens)
    {
        var tokenizer = tokens.Resolve(model);
        var estimated = tokenizer.Kind != TokenCountKind.Exact;
        var input = 0;
        if (request is not null)
        {
            var prompt = tokens.CountChat(ChatTokenRequestMapper.ToTokenRequest(request, model));
            input = prompt.PromptTokens;
            estimated |= prompt.Kind != TokenCountKind.Exact;
        }

        var text = Count(tokenizer, output.Text);
        var reasoning = Count(tokenizer, output.Reasoning);
        var tools = Count(tokenizer, output.ToolCalls);
        var reasoningModel = tokenizer.Format == ChatPromptFormat.Reasoning
            || output.HasReasoning
            || request?.ReasoningEffort is { } effort && effort != ReasoningEffort.None;
        var floor = (int)Math.Min(int.MaxValue, Math.Max(0, reservedOutputTokens));
        if (reasoningModel && text + reasoning + tools < floor)
        {
            reasoning = floor - text - tools;
            estimated = true;
        }

        return (new ChatUsage { InputTokens = input, OutputTokens = text + reasoning + tools, ReasoningTokens = reasoning }, estimated);
    }

    private static int Count(ModelTokenizer tokenizer, string text) => text.Length == 0 ? 0 : tokenizer.CountText(text).Tokens;
}
