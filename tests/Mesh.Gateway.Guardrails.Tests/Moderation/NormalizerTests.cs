using System.Text;
using Mesh.Gateway.Guardrails.Moderation;

namespace Mesh.Gateway.Guardrails.Tests.Moderation;

/// <summary>Leet folding and spaced-letter joining, and the misspelling pass, as moderation sees them; Fold is checked against
/// a character-by-character reference of its rules on random text.</summary>
public sealed class NormalizerTests
{
    [Theory]
    [InlineData("they h4te wom3n", "they hate women")]
    [InlineData("M u s l i m s are fine", "Muslims are fine")]
    [InlineData("write to john.doe@example.com about GPT-4o", "write to john.doe@example.com about GPT-ao")]
    [InlineData("write to jane.roe@example.org today", null)]
    [InlineData("they are f@gs, h@te them, mail me@home", "they are fags, hate them, mail meahome")]
    [InlineData("a@b.c is too short a domain", "aab.c is too short a domain")]
    [InlineData("plain text, nothing to fold", null)]
    [InlineData("room 101 at 7 pm", null)]
    public void Fold_FoldsLeetNextToLettersAndJoinsSpacedLetters(string text, string? expected)
    {
        Assert.Equal(expected, Normalizer.Fold(text));
    }

    [Fact]
    public void Fold_RandomText_SameAsCharacterByCharacterReference()
    {
        var random = new Random(20261206);
        const string Alphabet = "abcdeHATEwomen   4310@$5!7.,'-é@.";
        for (var n = 0; n < 5000; n++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[random.Next(Alphabet.Length)];
            }

            var text = new string(chars);
            Assert.True(Reference(text) == Normalizer.Fold(text), $"'{text}': expected '{Reference(text)}', got '{Normalizer.Fold(text)}'");
        }
    }

    [Theory]
    [InlineData("I haet wmen", "I hate women")]
    [InlineData("Ihate them", "i hate them")]
    [InlineData("they treat me well", null)]
    [InlineData("HAET", "hate")]
    public void Correct_FixesVocabularyMisspellingsOnly(string text, string? expected)
    {
        Assert.Equal(expected, Misspellings.Correct(text));
    }

    [Fact]
    public void Correct_EveryMisspelling_IsCorrectedAloneAndInsideText()
    {
        Assert.NotEmpty(Misspellings.Corrections);
        foreach (var (misspelling, correction) in Misspellings.Corrections)
        {
            Assert.Equal(correction, Misspellings.Correct(misspelling));
            Assert.Equal($"they said: {correction}, twice", Misspellings.Correct($"they said: {misspelling.ToUpperInvariant()}, twice"));
            Assert.Null(Misspellings.Correct($"they said: {misspelling}s2, twice"));
        }
    }

    // The folding rules one character at a time, without the shortcuts.
    private static string? Reference(string text)
    {
        static bool IsLetter(char c) => c < 128 ? char.IsAsciiLetter(c) : char.IsLetter(c);
        var leet = "4310@$5!7";
        var sb = new StringBuilder();
        var spaced = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ' && i > 0 && i + 1 < text.Length && IsLetter(text[i - 1]) && IsLetter(text[i + 1]) &&
                (i < 2 || !IsLetter(text[i - 2])) && (i + 2 >= text.Length || !IsLetter(text[i + 2])))
            {
                continue;
            }

            if (leet.Contains(c, StringComparison.Ordinal) && ((i > 0 && IsLetter(text[i - 1])) || (i + 1 < text.Length && IsLetter(text[i + 1]))) && !IsEmail(text, i))
            {
                c = c switch { '4' or '@' => 'a', '3' => 'e', '1' or '!' => 'i', '0' => 'o', '$' or '5' => 's', '7' => 't', _ => c };
            }

            sb.Append(c);
        }

        // Fold only joins spaced letters when three single letters stand in a row or a leet character touches a letter.
        for (var i = 1; i + 3 < text.Length; i++)
        {
            spaced |= text[i - 1] == ' ' && text[i + 1] == ' ' && IsSingle(text, i) && IsSingle(text, i - 2) && IsSingle(text, i + 2);
        }

        var leetInWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            leetInWord |= leet.Contains(text[i], StringComparison.Ordinal) && ((i > 0 && char.IsLetter(text[i - 1])) || (i + 1 < text.Length && char.IsLetter(text[i + 1]))) && !IsEmail(text, i);
        }

        var folded = sb.ToString();
        return !spaced && !leetInWord || folded == text ? null : folded;

        // An '@' between a local part and a dotted domain whose last label is two or more letters, by regular expression.
        static bool IsEmail(string t, int i) =>
            t[i] == '@' && System.Text.RegularExpressions.Regex.IsMatch(t[..i], @"[A-Za-z0-9._%+-]$") &&
            System.Text.RegularExpressions.Regex.IsMatch(t[(i + 1)..], @"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-]|\.[A-Za-z0-9])");

        static bool IsSingle(string t, int i) =>
            (uint)i < (uint)t.Length && char.IsLetter(t[i]) && (i == 0 || !char.IsLetter(t[i - 1])) && (i + 1 >= t.Length || !char.IsLetter(t[i + 1]));
    }
}
