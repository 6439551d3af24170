namespace Mesh.Gateway.Caching.Semantic;

/// <summary>Keeps the English sentence encoder to prompts it can judge.</summary>
/// <remarks>
/// all-MiniLM-L6-v2 was trained on English: text in other scripts falls apart into [UNK] and single-character word pieces,
/// and two different Korean questions score a cosine of 0.97 (docs/cache-quality.md measures it). A prompt whose letters are
/// mostly outside the Latin script is therefore never a semantic hit (it is still an exact hit).
/// </remarks>
internal static class PromptScript
{
    /// <summary>The share of letters that may be outside Latin before a prompt is left to the exact cache.</summary>
    internal const double MaxNonLatinShare = 0.2;

    public static bool IsMostlyLatin(ReadOnlySpan<char> text)
    {
        int letters = 0, nonLatin = 0;
        foreach (var c in text)
        {
            if (!char.IsLetter(c))
            {
                continue;
            }

            letters++;
            if (c > '\u024F')
            {
                nonLatin++;
            }
        }

        return letters == 0 || nonLatin <= letters * MaxNonLatinShare;
    }
}
