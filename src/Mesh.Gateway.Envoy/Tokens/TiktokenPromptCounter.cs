using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Envoy.Tokens;

/// <summary>Counts with the project's tiktoken-compatible tokenizer (exact for OpenAI models, the documented estimate otherwise).</summary>
internal sealed class TiktokenPromptCounter(TokenCounter counter) : IPromptTokenCounter
{
    public int Count(string model, IReadOnlyList<string> texts)
    {
        var total = 0;
        foreach (var text in texts)
        {
            total += counter.CountText(model, text).Tokens;
        }

        return total;
    }

    public int? CountChat(ChatTokenRequest request) => counter.CountChat(request).PromptTokens;

    public bool IsExact(string model) => counter.Resolve(model).Kind == TokenCountKind.Exact;

    public bool IsReasoningModel(string model) => counter.Resolve(model).Format == ChatPromptFormat.Reasoning;
}
