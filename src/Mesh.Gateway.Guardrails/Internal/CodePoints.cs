namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>UTF-16 offsets to Unicode code point offsets.</summary>
internal static class CodePoints
{
    internal static int Count(ReadOnlySpan<char> s)
    {
        int n = s.Length;
        foreach (char c in s)
        {
            if (char.IsLowSurrogate(c))
            {
                n--;
            }
        }

        return n;
    }

    /// <summary>Converts sorted-or-not UTF-16 offsets to code point offsets with one pass over the text per call.</summary>
    internal static int[]? Map(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uDC00', '\uDFFF') < 0)
        {
            return null; // identity: no surrogate pairs
        }

        var map = new int[text.Length + 1];
        int cp = 0;
        for (int i = 0; i < text.Length; i++)
        {
            map[i] = cp;
            if (!char.IsLowSurrogate(text[i]) || i == 0 || !char.IsHighSurrogate(text[i - 1]))
            {
                cp++;
            }
            else
            {
                map[i] = cp - 1;
            }
        }

        map[text.Length] = cp;
        return map;
    }
}
