using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Embeddings;

/// <summary>The <c>sentence_encoder:</c> section: how the local encoder (all-MiniLM-L6-v2, shared by the semantic cache and the
/// guardrails' learned layer) runs.</summary>
public sealed record SentenceEncoderOptions
{
    /// <summary>The section name.</summary>
    public const string SectionName = "sentence_encoder";

    /// <summary><c>int8</c> (default): the model's weight matrices quantized to 8 bits as it loads, 1.5 to 3x less CPU a text on
    /// one core, cosine 0.99 to the fp32 vectors (docs/0022-guardrail-tools-and-checks.md); <c>fp32</c>: the model as its package ships it.</summary>
    public string Precision { get; set; } = "int8";

    /// <summary>The most 256-word-piece windows one text is encoded in (default 8, about 1,800 word pieces: 8 KiB of English);
    /// a longer text is read in this many windows spread over it (the first, the last, evenly between), the rest skipped.</summary>
    [ConfigurationKeyName("max_windows")]
    public int MaxWindows { get; set; } = 8;
}
