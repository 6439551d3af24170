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

    /// <summary>Checks the options; each error names the key path under <paramref name="section"/> and what is wrong.</summary>
    /// <param name="section">The configuration path of this section, for example <c>tokenizers</c>.</param>
    public IReadOnlyList<string> Validate(string section)
    {
        var errors = new List<string>();
        foreach (KeyValuePair<string, string> pair in ModelEncodings)
        {
            if (string.IsNullOrWhiteSpace(pair.Key))
            {
                errors.Add($"{section}.model_encodings: a model prefix must not be empty");
            }

            if (TiktokenEncoding.GetEncoding(pair.Value ?? string.Empty) is null)
            {
                errors.Add($"{section}.model_encodings.{pair.Key}: unknown encoding '{pair.Value}' (known: "
                    + $"{TiktokenEncoding.O200kBaseName}, {TiktokenEncoding.Cl100kBaseName}, {TiktokenEncoding.O200kHarmonyName})");
            }
        }

        foreach (KeyValuePair<string, double> pair in EstimateFactors)
        {
            if (!IsValidFactor(pair.Value))
            {
                errors.Add($"{section}.estimate_factors.{pair.Key}: must be between 1 and 10 (was {pair.Value})");
            }
        }

        if (!IsValidFactor(DefaultEstimateFactor))
        {
            errors.Add($"{section}.default_estimate_factor: must be between 1 and 10 (was {DefaultEstimateFactor})");
        }

        return errors;
    }

    internal static bool IsValidFactor(double factor) => factor >= 1.0 && factor <= 10.0;
}
