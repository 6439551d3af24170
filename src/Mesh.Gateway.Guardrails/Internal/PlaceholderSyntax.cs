namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>The shape of a tokenization placeholder: <c>[</c> upper-case letters or <c>_</c>, <c>_</c>, digits, <c>]</c>.</summary>
internal static class PlaceholderSyntax
{
    internal const int MaxLength = 48;

    /// <summary>Length of the placeholder at the start of <paramref name="s"/>, 0 if none; -1 if <paramref name="s"/> could still grow into one.</summary>
    internal static int MatchLength(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s[0] != '[')
        {
            return 0;
        }

        int i = 1;
        int lastUnderscore = -1;
        while (i < s.Length && i < MaxLength)
        {
            char c = s[i];
            if (c == ']')
            {
                return lastUnderscore > 1 && lastUnderscore < i - 1 && IsDigits(s[(lastUnderscore + 1)..i]) ? i + 1 : 0;
            }

            if (c == '_')
            {
                lastUnderscore = i;
            }
            else if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
            {
                return 0;
            }

            i++;
        }

        return i >= MaxLength ? 0 : -1;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
