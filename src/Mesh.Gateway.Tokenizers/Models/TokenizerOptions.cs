namespace Mesh.Gateway.Tokenizers;

/// <summary>Which tokenizer serves which model name, beyond the built-in table, and the estimate factors.</summary>
/// <remarks>
/// Keys are model-name prefixes, matched case-insensitively; the longest matching prefix wins, and entries here win
/// over built-in ones of the same length. A provider prefix such as <c>openai/</c> or <c>azure/</c> is ignored.
/// </remarks>
public sealed record TokenizerOptions
{
    /// <summary>Model-name prefix to tiktoken encoding name (<c>o200k_base</c>, <c>cl100k_base</c>), for models
    /// counted exactly. Example: <c>{"my-finetune-": "o200k_base"}</c>.</summary>
    public IReadOnlyDictionary<string, string> ModelEncodings { get; init; } = new Dictionary<string, string>();

    /// <summary>Model-name prefix to estimate factor, for models of other providers: the estimate is the o200k_base
    /// count times the factor, rounded up.</summary>
    public IReadOnlyDictionary<string, double> EstimateFactors { get; init; } = new Dictionary<string, double>();

    /// <summary>The factor for models that match nothing (default 1.25).</summary>
    public double DefaultEstimateFactor { get; init; } = 1.25;
}
