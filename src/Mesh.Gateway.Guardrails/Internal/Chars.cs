namespace Mesh.Gateway.Guardrails.Internal;

internal static class Chars
{
    internal static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || (c > 127 && char.IsLetterOrDigit(c));

    internal static bool IsDigit(char c) => char.IsAsciiDigit(c);

    /// <summary>True when position <paramref name="i"/> starts a word: the char before is not a letter, digit or underscore.</summary>
    internal static bool IsWordStart(ReadOnlySpan<char> t, int i) => i == 0 || !IsWord(t[i - 1]);

    /// <summary>True when position <paramref name="end"/> ends a word: the char at it is not a letter, digit or underscore.</summary>
    internal static bool IsWordEnd(ReadOnlySpan<char> t, int end) => end >= t.Length || !IsWord(t[end]);

    internal static bool At(ReadOnlySpan<char> t, int i, char c) => (uint)i < (uint)t.Length && t[i] == c;

    internal static bool DigitAt(ReadOnlySpan<char> t, int i) => (uint)i < (uint)t.Length && char.IsAsciiDigit(t[i]);
}
