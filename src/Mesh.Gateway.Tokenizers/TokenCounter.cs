using Mesh.Gateway.Tokenizers.Chat;

namespace Mesh.Gateway.Tokenizers;

/// <summary>Counts tokens for a model: text, or a whole chat request as OpenAI reports <c>prompt_tokens</c>.</summary>
/// <remarks>
/// OpenAI models are counted exactly with their encoding; other providers' models get a documented estimate (see
/// <see cref="ModelTokenizerResolver"/>), and every result says which. Thread-safe.
/// </remarks>
public sealed class TokenCounter
{
    private readonly ModelTokenizerResolver _resolver;

    /// <summary>Creates a counter with the built-in model table plus <paramref name="options"/>.</summary>
    public TokenCounter(TokenizerOptions? options = null)
    {
        _resolver = options is null ? ModelTokenizerResolver.Default : new ModelTokenizerResolver(options);
    }

    /// <summary>A counter with the built-in model table only.</summary>
    public static TokenCounter Default { get; } = new();

    /// <summary>How tokens are counted for <paramref name="model"/>.</summary>
    public ModelTokenizer Resolve(string model) => _resolver.Resolve(model);

    /// <summary>Counts <paramref name="text"/> for <paramref name="model"/> without allocating.</summary>
    public TokenCount CountText(string model, ReadOnlySpan<char> text) => _resolver.Resolve(model).CountText(text);

    /// <summary>Encodes <paramref name="text"/> with the model's encoding, appending the ids to
    /// <paramref name="ids"/>; for an estimated model the ids are o200k_base's and the count is the estimate.</summary>
    public TokenCount Encode(string model, ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ModelTokenizer tokenizer = _resolver.Resolve(model);
        int before = ids.Count;
        tokenizer.Encoding.Encode(text, ids, SpecialTokenPolicy.AsText);
        return new TokenCount(tokenizer.Scale(ids.Count - before), tokenizer.Kind, tokenizer.Encoding.Name);
    }

    /// <summary>Counts the prompt tokens of a chat request.</summary>
    public ChatTokenCount CountChat(ChatTokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChatTokenAccounting.Count(request, _resolver.Resolve(request.Model));
    }
}
