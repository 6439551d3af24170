using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Envoy.Tokens;

/// <summary>Counts tokens of texts for a model (prompt accounting before the call, completion fallback when usage is missing).</summary>
internal interface IPromptTokenCounter
{
    int Count(string model, IReadOnlyList<string> texts);

    /// <summary>A whole chat request's prompt tokens as OpenAI reports <c>prompt_tokens</c>; null when this counter cannot.</summary>
    int? CountChat(ChatTokenRequest request);

    /// <summary>True when counts for <paramref name="model"/> are exact (an OpenAI encoding); false for an estimate.</summary>
    bool IsExact(string model);

    /// <summary>True for a reasoning model, which bills reasoning tokens it never delivers.</summary>
    bool IsReasoningModel(string model);
}
