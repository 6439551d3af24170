namespace Mesh.Gateway.Tokenizers;

/// <summary>How tokens are counted for one model: its encoding, whether counts are exact, and its prompt rules.</summary>
/// <param name="Encoding">The encoding (for an estimate: the one whose count the factor scales, o200k_base).</param>
/// <param name="Kind">Exact for OpenAI models (built in or configured), Estimate otherwise.</param>
/// <param name="EstimateFactor">1 when exact; otherwise the factor applied to the o200k_base count.</param>
/// <param name="Format">How chat messages become prompt tokens.</param>
/// <param name="ImageRule">How an input image is priced.</param>
public sealed record ModelTokenizer(
    TiktokenEncoding Encoding,
    TokenCountKind Kind,
    double EstimateFactor,
    ChatPromptFormat Format,
    ImageTokenRule ImageRule)
{
    /// <summary>Counts text for this model (special-token text counts as ordinary text, as in a user's prompt).</summary>
    public TokenCount CountText(ReadOnlySpan<char> text)
    {
        int tokens = Encoding.CountTokens(text, SpecialTokenPolicy.AsText);
        return new TokenCount(Scale(tokens), Kind, Encoding.Name);
    }

    /// <summary>Applies the estimate factor (rounded up); identity when exact.</summary>
    public int Scale(int tokens) =>
        Kind == TokenCountKind.Exact ? tokens : (int)Math.Ceiling(tokens * EstimateFactor);
}
