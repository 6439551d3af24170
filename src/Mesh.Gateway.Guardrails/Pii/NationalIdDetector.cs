using System.Buffers;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// National identifiers and passports, each validated by its published rule (<see cref="NationalIdChecks"/>). At each word
/// start (a digit, or an upper-case letter when a letter-led type is on) it reads up to <see cref="MaxGroups"/> groups of
/// letters and digits split by one space, hyphen or dot, and tries every enabled shape on each prefix of those groups; the
/// longest valid one wins. A bare run of digits that a checksum accepts by chance (one in 10 or 11) scores under the default
/// threshold, so it needs a context word (<see cref="ContextScorer"/>); shapes with letters or a mod-97 key stand alone.
/// Passport numbers carry no check digit outside the machine-readable zone: a number is found after the word "passport"
/// (in five languages) or as a whole MRZ line whose check digits hold. The pass is linear: each start reads a bounded
/// number of characters and the scan moves past the word.
/// </summary>
internal static class NationalIdDetector
{
    internal const PiiKinds Handled = PiiKinds.UkNhs | PiiKinds.AuTfn | PiiKinds.NlBsn | PiiKinds.DeTaxId | PiiKinds.InAadhaar | PiiKinds.FrInsee
        | PiiKinds.EsDni | PiiKinds.EsNie | PiiKinds.UkNino | PiiKinds.ItFiscalCode | PiiKinds.Passport;

    private const PiiKinds LetterLed = PiiKinds.EsNie | PiiKinds.UkNino | PiiKinds.ItFiscalCode | PiiKinds.Passport;

    /// <summary>A run of digits a checksum accepts (1 in 10 or 11 by chance): under 0.5 without a context word.</summary>
    internal const double BareDigitsScore = 0.3;

    /// <summary>Steuer-ID and grouped Aadhaar: the digit-frequency rule or the 4-4-4 grouping make chance rarer, still under 0.5.</summary>
    internal const double StrongerDigitsScore = 0.4;

    /// <summary>INSEE (a mod-97 key and a date), DNI (a mod-23 letter), NINO (prefix rules and a suffix letter).</summary>
    internal const double ShapeScore = 0.6;

    /// <summary>NIE and codice fiscale: a check letter on a distinctive shape.</summary>
    internal const double StrongShapeScore = 0.8;

    /// <summary>A passport MRZ line whose five check digits hold.</summary>
    internal const double MrzScore = 0.95;

    /// <summary>A passport-number shape right after a passport word (that word is the evidence: above a phone's "number").</summary>
    internal const double PassportScore = 0.97;

    private const int MaxGroups = 8;
    private const int MaxChars = 24;

    private static readonly SearchValues<char> DigitsOrUpper = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly SearchValues<string> PassportWords = SearchValues.Create(["passport", "reisepass", "pasaporte", "passeport", "passaporto", "travel document"], StringComparison.OrdinalIgnoreCase);

    internal static void Scan(ReadOnlySpan<char> t, PiiKinds kinds, List<RawFinding> output)
    {
        if ((kinds & Handled) == 0)
        {
            return;
        }

        bool letters = (kinds & LetterLed) != 0;
        int i = 0;
        while (i < t.Length)
        {
            int rel = letters ? IndexOfDigitOrUpper(t[i..]) : t[i..].IndexOfAnyInRange('0', '9');
            if (rel < 0)
            {
                break;
            }

            i += rel;
            if (!Chars.IsWordStart(t, i))
            {
                i = SkipWord(t, i);
                continue;
            }

            int end = TryAt(t, i, kinds, output);
            i = end > i ? end : SkipWord(t, i);
        }

        if ((kinds & PiiKinds.Passport) != 0)
        {
            AfterPassportWords(t, output);
        }
    }

    private static int IndexOfDigitOrUpper(ReadOnlySpan<char> t) => t.IndexOfAny(DigitsOrUpper);

    /// <summary>Tries every shape at word start <paramref name="s"/>; returns the end of the finding added, or 0.</summary>
    private static int TryAt(ReadOnlySpan<char> t, int s, PiiKinds kinds, List<RawFinding> output)
    {
        if ((kinds & PiiKinds.Passport) != 0 && s + 44 <= t.Length && IsMrzChar(t[s + 43]) && (s + 44 == t.Length || !IsMrzChar(t[s + 44])) && t.Slice(s, 44).Contains('<') && NationalIdChecks.PassportMrzLine2(t[s..(s + 44)]))
        {
            output.Add(new RawFinding(PiiEntityTypes.Passport, s, s + 44, MrzScore));
            return s + 44;
        }

        // Read groups of upper-case letters and digits split by one separator (space, hyphen or dot, the same throughout).
        Span<char> chars = stackalloc char[MaxChars];
        Span<int> groupEnds = stackalloc int[MaxGroups]; // end offset in t of each group
        Span<int> groupLens = stackalloc int[MaxGroups];
        Span<int> charCounts = stackalloc int[MaxGroups]; // chars collected up to each group's end
        int n = 0, groups = 0, i = s;
        char sep = '\0';
        while (groups < MaxGroups)
        {
            int start = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || char.IsAsciiLetterUpper(t[i])) && n < MaxChars)
            {
                chars[n++] = t[i++];
            }

            if (i == start || (i < t.Length && Chars.IsWord(t[i])))
            {
                break; // empty group, or a word with lower-case letters or longer than any shape
            }

            groupEnds[groups] = i;
            groupLens[groups] = i - start;
            charCounts[groups] = n;
            groups++;
            if (i + 1 < t.Length && t[i] is ' ' or '-' or '.' && (sep == '\0' || sep == t[i]) && (char.IsAsciiDigit(t[i + 1]) || char.IsAsciiLetterUpper(t[i + 1])))
            {
                sep = t[i];
                i++;
            }
            else
            {
                break;
            }
        }

        // The longest prefix of groups some enabled shape accepts; every type accepting it goes out (a TFN and a BSN can
        // share digits): the context words and the overlap resolution choose.
        for (int g = groups - 1; g >= 0; g--)
        {
            int count = Shapes(chars[..charCounts[g]], groupLens[..(g + 1)], kinds, out var first, out var second);
            if (count == 0)
            {
                continue;
            }

            output.Add(new RawFinding(first.Type, s, groupEnds[g], first.Score));
            if (count == 2)
            {
                output.Add(new RawFinding(second.Type, s, groupEnds[g], second.Score));
            }

            return groupEnds[g];
        }

        return 0;
    }

    /// <summary>The types (and base scores, at most two) that accept the characters <paramref name="c"/> read in groups of <paramref name="lens"/>.</summary>
    private static int Shapes(ReadOnlySpan<char> c, ReadOnlySpan<int> lens, PiiKinds kinds, out (string Type, double Score) first, out (string Type, double Score) second)
    {
        first = default;
        second = default;
        int count = 0;
        bool digits = c.IndexOfAnyExceptInRange('0', '9') < 0;
        bool one = lens.Length == 1;

        void Add((string, double) found, ref (string Type, double Score) a, ref (string Type, double Score) b)
        {
            if (count == 0)
            {
                a = found;
            }
            else
            {
                b = found;
            }

            count = Math.Min(2, count + 1);
        }

        if (digits)
        {
            switch (c.Length)
            {
                case 9:
                    if ((kinds & PiiKinds.AuTfn) != 0 && (one || lens.SequenceEqual([3, 3, 3])) && NationalIdChecks.AuTfn(c))
                    {
                        Add((PiiEntityTypes.AuTfn, BareDigitsScore), ref first, ref second);
                    }

                    if ((kinds & PiiKinds.NlBsn) != 0 && (one || lens.SequenceEqual([3, 3, 3]) || lens.SequenceEqual([4, 2, 3])) && NationalIdChecks.NlBsn(c))
                    {
                        Add((PiiEntityTypes.NlBsn, BareDigitsScore), ref first, ref second);
                    }

                    break;
                case 10 when (kinds & PiiKinds.UkNhs) != 0 && (one || lens.SequenceEqual([3, 3, 4])) && NationalIdChecks.UkNhs(c):
                    Add((PiiEntityTypes.UkNhs, BareDigitsScore), ref first, ref second);
                    break;
                case 11 when (kinds & PiiKinds.DeTaxId) != 0 && (one || lens.SequenceEqual([2, 3, 3, 3])) && NationalIdChecks.DeTaxId(c):
                    Add((PiiEntityTypes.DeTaxId, StrongerDigitsScore), ref first, ref second);
                    break;
                case 12 when (kinds & PiiKinds.InAadhaar) != 0 && (one || lens.SequenceEqual([4, 4, 4])) && NationalIdChecks.InAadhaar(c):
                    Add((PiiEntityTypes.InAadhaar, one ? BareDigitsScore : StrongerDigitsScore), ref first, ref second);
                    break;
            }
        }

        if (c.Length == 15 && (kinds & PiiKinds.FrInsee) != 0 && (one || lens.SequenceEqual([1, 2, 2, 2, 3, 3, 2])) && NationalIdChecks.FrInsee(c))
        {
            Add((PiiEntityTypes.FrInsee, ShapeScore), ref first, ref second);
        }
        else if (c.Length == 9 && char.IsAsciiLetterUpper(c[8]))
        {
            if ((kinds & PiiKinds.EsDni) != 0 && (one || lens.SequenceEqual([8, 1])) && NationalIdChecks.EsDni(c[..8], c[8]))
            {
                Add((PiiEntityTypes.EsDni, ShapeScore), ref first, ref second);
            }
            else if ((kinds & PiiKinds.EsNie) != 0 && (one || lens.SequenceEqual([1, 7, 1])) && NationalIdChecks.EsNie(c[0], c[1..8], c[8]))
            {
                Add((PiiEntityTypes.EsNie, StrongShapeScore), ref first, ref second);
            }
            else if ((kinds & PiiKinds.UkNino) != 0 && (one || lens.SequenceEqual([2, 2, 2, 2, 1]) || lens.SequenceEqual([2, 6, 1]))
                && NationalIdChecks.UkNinoPrefix(c[0], c[1]) && c[2..8].IndexOfAnyExceptInRange('0', '9') < 0 && c[8] is >= 'A' and <= 'D')
            {
                Add((PiiEntityTypes.UkNino, ShapeScore), ref first, ref second);
            }
        }
        else if (c.Length == 16 && one && (kinds & PiiKinds.ItFiscalCode) != 0 && NationalIdChecks.ItFiscalCode(c))
        {
            Add((PiiEntityTypes.ItFiscalCode, StrongShapeScore), ref first, ref second);
        }

        return count;
    }

    /// <summary>After a passport word (and up to 24 characters of "number", "no.", ":"), the first word of 6 to 9 letters and digits with at least 6 digits.</summary>
    private static void AfterPassportWords(ReadOnlySpan<char> t, List<RawFinding> output)
    {
        int from = 0;
        while (from < t.Length)
        {
            int idx = t[from..].IndexOfAny(PassportWords);
            if (idx < 0)
            {
                return;
            }

            int w = from + idx;
            from = w + 1;
            if (!Chars.IsWordStart(t, w))
            {
                continue;
            }

            int i = w;
            while (i < t.Length && char.IsLetter(t[i]))
            {
                i++;
            }

            int limit = Math.Min(t.Length, i + 32);
            while (i < limit)
            {
                if (!char.IsAsciiLetterOrDigit(t[i]))
                {
                    i++;
                    continue;
                }

                int s = i;
                int digitCount = 0;
                while (i < t.Length && char.IsAsciiLetterOrDigit(t[i]))
                {
                    digitCount += char.IsAsciiDigit(t[i]) ? 1 : 0;
                    i++;
                }

                int len = i - s;
                if (len is >= 6 and <= 9 && digitCount >= 6 && Chars.IsWordEnd(t, i) && t[s..i].IndexOfAnyInRange('a', 'z') < 0)
                {
                    output.Add(new RawFinding(PiiEntityTypes.Passport, s, i, PassportScore));
                    from = i;
                    break;
                }
            }
        }
    }

    private static bool IsMrzChar(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c) || c == '<';

    private static int SkipWord(ReadOnlySpan<char> t, int i)
    {
        while (i < t.Length && Chars.IsWord(t[i]))
        {
            i++;
        }

        return i;
    }
}
