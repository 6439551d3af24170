namespace Mesh.Gateway.Tokenizers;

/// <summary>A token count, whether it is exact, and the encoding it was counted with.</summary>
/// <param name="Tokens">The number of tokens.</param>
/// <param name="Kind">Exact, or an estimate.</param>
/// <param name="Encoding">The tiktoken encoding used (for an estimate, the one the rule scales).</param>
public readonly record struct TokenCount(int Tokens, TokenCountKind Kind, string Encoding)
{
    /// <summary>Whether the count is exact.</summary>
    public bool IsExact => Kind == TokenCountKind.Exact;
}
