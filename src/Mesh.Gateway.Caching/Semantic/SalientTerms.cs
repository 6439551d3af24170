using System.Text;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>
/// The terms a sentence encoder blurs but an answer depends on: tokens with a digit (versions, amounts, years) and
/// capitalised words inside a sentence (products, places, brands). Two prompts are only semantic neighbours when these
/// agree, so "What's new in .NET 8?" never answers "What's new in .NET 9?" however close their vectors are.
/// </summary>
/// <remarks>Used as part of the semantic partition, so it costs one pass over the prompt and nothing at search time.</remarks>
internal static class SalientTerms
{
    /// <summary>The sorted, lower-cased salient terms joined by spaces ("" when none).</summary>
    public static string Signature(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var terms = new SortedSet<string>(StringComparer.Ordinal);
        var sentenceStart = true;
        foreach (var raw in prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw.Trim('"', '\'', '(', ')', ',', ';', ':', '?', '!', '.', '«', '»', '“', '”');
            if (token.Length > 0)
            {
                var hasDigit = token.Any(char.IsDigit);
                var capitalised = !sentenceStart && char.IsUpper(token[0]) && token != "I" && !token.StartsWith("I'", StringComparison.Ordinal);
                if (hasDigit || capitalised)
                {
                    terms.Add(token.ToLowerInvariant());
                }
            }

            sentenceStart = raw.EndsWith('.') || raw.EndsWith('?') || raw.EndsWith('!');
        }

        if (terms.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var term in terms)
        {
            builder.Append(term).Append(' ');
        }

        return builder.ToString(0, builder.Length - 1);
    }
}
