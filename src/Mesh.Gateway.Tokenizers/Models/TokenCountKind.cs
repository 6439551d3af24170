namespace Mesh.Gateway.Tokenizers;

/// <summary>Whether a token count is the provider's own count or an estimate.</summary>
public enum TokenCountKind
{
    /// <summary>Counted with the model's own tokenizer and prompt format; equals what the provider reports.</summary>
    Exact,

    /// <summary>Estimated by a documented rule (another provider's model, or a part whose cost is not published).</summary>
    Estimate,
}
