namespace Mesh.Gateway.Tokenizers;

/// <summary>Maps a model name to its <see cref="ModelTokenizer"/>.</summary>
/// <remarks>
/// OpenAI models are counted exactly: gpt-5*, gpt-4.1*, gpt-4.5*, gpt-4o*, chatgpt-4o*, o1*, o3*, o4*, codex-mini*,
/// computer-use-preview*, omni-moderation* and gpt-oss* use o200k_base; gpt-4*, gpt-3.5*/gpt-35*,
/// text-embedding-3-*, text-embedding-ada-002, davinci-002 and babbage-002 use cl100k_base. Configured prefixes
/// (<see cref="TokenizerOptions.ModelEncodings"/>) add to or override these.
/// <para>
/// Every other model is estimated: its o200k_base count times a per-family factor, rounded up. Factors (model name
/// containing): claude 1.20; gemini, gemma 1.05; llama, deepseek, qwen 1.10; mistral, mixtral, codestral, ministral,
/// pixtral, magistral 1.15; titan, nova 1.15; command, cohere 1.15; anything else
/// <see cref="TokenizerOptions.DefaultEstimateFactor"/> (1.25). Claude's tokenizer yields noticeably more tokens than
/// o200k_base for the same text, Gemini's 256k-entry SentencePiece vocabulary about as many, Llama 3's and Mistral's
/// smaller vocabularies somewhat more; the factors lean high so that limits and budgets over-count rather than under.
/// </para>
/// Thread-safe; resolution allocates nothing.
/// </remarks>
public sealed class ModelTokenizerResolver
{
    private static readonly string[] s_providerPrefixes = ["openai/", "azure/", "openai:"];

    private readonly List<(string Prefix, ModelTokenizer Tokenizer)> _exact;
    private readonly List<(string Fragment, ModelTokenizer Tokenizer)> _estimates;
    private readonly ModelTokenizer _default;

    /// <summary>Creates a resolver with the built-in table plus <paramref name="options"/>.</summary>
    public ModelTokenizerResolver(TokenizerOptions? options = null)
    {
        options ??= new TokenizerOptions();
        var exact = new List<(string, ModelTokenizer)>();
        foreach (KeyValuePair<string, string> pair in options.ModelEncodings)
        {
            TiktokenEncoding encoding = TiktokenEncoding.GetEncoding(pair.Value)
                ?? throw new ArgumentException($"Model prefix '{pair.Key}': unknown encoding '{pair.Value}'.", nameof(options));
            exact.Add((pair.Key, Exact(encoding, ChatPromptFormat.Classic, ImageTokenRule.Gpt4o)));
        }

        exact.AddRange(BuiltIn());

        // Longest prefix first; configured entries come first among equals (the sort is stable).
        _exact = [.. exact.OrderByDescending(e => e.Item1.Length)];

        var estimates = new List<(string, ModelTokenizer)>();
        foreach (KeyValuePair<string, double> pair in options.EstimateFactors)
        {
            estimates.Add((pair.Key, Estimate(pair.Value)));
        }

        estimates.AddRange(
        [
            ("claude", Estimate(1.20)), ("gemini", Estimate(1.05)), ("gemma", Estimate(1.05)),
            ("llama", Estimate(1.10)), ("deepseek", Estimate(1.10)), ("qwen", Estimate(1.10)),
            ("mistral", Estimate(1.15)), ("mixtral", Estimate(1.15)), ("codestral", Estimate(1.15)),
            ("ministral", Estimate(1.15)), ("pixtral", Estimate(1.15)), ("magistral", Estimate(1.15)),
            ("titan", Estimate(1.15)), ("nova", Estimate(1.15)), ("command", Estimate(1.15)), ("cohere", Estimate(1.15)),
        ]);
        _estimates = estimates;
        _default = Estimate(options.DefaultEstimateFactor);
    }

    /// <summary>The resolver with only the built-in table.</summary>
    public static ModelTokenizerResolver Default { get; } = new();

    /// <summary>Returns how to count tokens for <paramref name="model"/>.</summary>
    public ModelTokenizer Resolve(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ReadOnlySpan<char> name = model.AsSpan().Trim();
        foreach (string provider in s_providerPrefixes)
        {
            if (name.StartsWith(provider, StringComparison.OrdinalIgnoreCase))
            {
                name = name[provider.Length..];
            }
        }

        foreach ((string prefix, ModelTokenizer tokenizer) in _exact)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return tokenizer;
            }
        }

        foreach ((string fragment, ModelTokenizer tokenizer) in _estimates)
        {
            if (name.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return tokenizer;
            }
        }

        return _default;
    }

    private static IEnumerable<(string, ModelTokenizer)> BuiltIn()
    {
        TiktokenEncoding o200k = TiktokenEncoding.O200kBase;
        TiktokenEncoding cl100k = TiktokenEncoding.Cl100kBase;
        const ChatPromptFormat classic = ChatPromptFormat.Classic;
        const ChatPromptFormat reasoning = ChatPromptFormat.Reasoning;
        ImageTokenRule nano = ImageTokenRule.Patches(2.46);
        ImageTokenRule mini = ImageTokenRule.Patches(1.62);
        return
        [
            ("gpt-5-nano", Exact(o200k, reasoning, nano)),
            ("gpt-5-mini", Exact(o200k, reasoning, mini)),
            ("gpt-5-chat", Exact(o200k, classic, ImageTokenRule.Gpt5)),
            ("gpt-5", Exact(o200k, reasoning, ImageTokenRule.Gpt5)),
            ("gpt-4.1-nano", Exact(o200k, classic, nano)),
            ("gpt-4.1-mini", Exact(o200k, classic, mini)),
            ("gpt-4.1", Exact(o200k, classic, ImageTokenRule.Gpt4o)),
            ("gpt-4.5", Exact(o200k, classic, ImageTokenRule.Gpt4o)),
            ("gpt-4o-mini-search", Exact(o200k, ChatPromptFormat.Search, ImageTokenRule.Gpt4oMini)),
            ("gpt-4o-search", Exact(o200k, ChatPromptFormat.Search, ImageTokenRule.Gpt4o)),
            ("gpt-4o-mini", Exact(o200k, classic, ImageTokenRule.Gpt4oMini)),
            ("gpt-4o", Exact(o200k, classic, ImageTokenRule.Gpt4o)),
            ("chatgpt-4o", Exact(o200k, classic, ImageTokenRule.Gpt4o)),
            ("o4-mini", Exact(o200k, reasoning, ImageTokenRule.Patches(1.72))),
            ("o4", Exact(o200k, reasoning, ImageTokenRule.O1)),
            ("o3", Exact(o200k, reasoning, ImageTokenRule.O1)),
            ("o1", Exact(o200k, reasoning, ImageTokenRule.O1)),
            ("codex-mini", Exact(o200k, reasoning, ImageTokenRule.O1)),
            ("computer-use-preview", Exact(o200k, classic, new ImageTokenRule(65, 129))),
            ("omni-moderation", Exact(o200k, classic, ImageTokenRule.Gpt4o)),
            ("gpt-oss", Exact(TiktokenEncoding.O200kHarmony, reasoning, ImageTokenRule.Gpt4o)),
            ("gpt-4", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("gpt-3.5", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("gpt-35", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("text-embedding-3", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("text-embedding-ada-002", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("davinci-002", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
            ("babbage-002", Exact(cl100k, classic, ImageTokenRule.Gpt4o)),
        ];
    }

    private static ModelTokenizer Exact(TiktokenEncoding encoding, ChatPromptFormat format, ImageTokenRule rule) =>
        new(encoding, TokenCountKind.Exact, 1.0, format, rule);

    private static ModelTokenizer Estimate(double factor)
    {
        if (!TokenizerOptions.IsValidFactor(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "An estimate factor must be between 1 and 10.");
        }

        return new(TiktokenEncoding.O200kBase, TokenCountKind.Estimate, factor, ChatPromptFormat.Classic, ImageTokenRule.Gpt4o);
    }
}
