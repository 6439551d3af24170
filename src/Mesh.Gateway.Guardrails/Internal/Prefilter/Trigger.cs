namespace Mesh.Gateway.Guardrails.Internal.Prefilter;

/// <summary>
/// A word that occurs in every match of one rule (a "tier"), and how far around it a match can reach: <see cref="Before"/> and
/// <see cref="After"/> whitespace-separated tokens (whitespace runs of any length count as one separator), plus
/// <see cref="BeforeChars"/> characters for rules with a bounded character run.
/// </summary>
/// <remarks>
/// The word matches case-insensitively at the start of a word (the character before is not a letter, digit or underscore); it
/// may be a prefix of a longer word unless <see cref="WholeWord"/>. It must start with an ASCII letter. With <see cref="Next"/>, the
/// word must be followed by whitespace and then one of those words (for common words such as "from" in "from now on").
/// </remarks>
internal readonly record struct Trigger(string Word, int Tier, int Before, int After, bool WholeWord = false, int BeforeChars = 0, string[]? Next = null)
{
    /// <summary>Triggers for <paramref name="tier"/> from '|'-separated words; a word ending in '=' must be a whole word.</summary>
    /// <param name="tier">The rule the words trigger.</param>
    /// <param name="before">Tokens a match reaches before the word.</param>
    /// <param name="after">Tokens a match reaches after the word.</param>
    /// <param name="words">'|'-separated words; '=' at the end: whole word.</param>
    /// <param name="next">'|'-separated words one of which must follow (after whitespace); implies whole words.</param>
    internal static IEnumerable<Trigger> For(int tier, int before, int after, string words, string? next = null)
    {
        string[]? following = next?.Split('|');
        foreach (string w in words.Split('|'))
        {
            bool whole = w.EndsWith('=') || following is not null;
            yield return new Trigger(w.TrimEnd('='), tier, before, after, whole, Next: following);
        }
    }
}
