namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// The published check-digit rules of national identifiers, on their digits or characters only (no separators).
/// Each returns false for a value of the wrong length.
/// </summary>
internal static class NationalIdChecks
{
    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    /// <summary>UK NHS number: 10 digits, weights 10..2 on the first nine, 11 - (sum mod 11) is the tenth (11 means 0, 10 is never issued).</summary>
    internal static bool UkNhs(ReadOnlySpan<char> d)
    {
        if (d.Length != 10)
        {
            return false;
        }

        int sum = 0;
        for (int i = 0; i < 9; i++)
        {
            sum += (d[i] - '0') * (10 - i);
        }

        int check = 11 - (sum % 11);
        check = check == 11 ? 0 : check;
        return check != 10 && check == d[9] - '0';
    }

    /// <summary>Australian tax file number: 9 digits, weights 1 4 3 7 5 8 6 9 10, the sum divisible by 11.</summary>
    internal static bool AuTfn(ReadOnlySpan<char> d)
    {
        if (d.Length != 9)
        {
            return false;
        }

        ReadOnlySpan<int> w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
        int sum = 0;
        for (int i = 0; i < 9; i++)
        {
            sum += (d[i] - '0') * w[i];
        }

        return sum % 11 == 0;
    }

    /// <summary>Dutch BSN: 9 digits, the "11-test" 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (and not all zero).</summary>
    internal static bool NlBsn(ReadOnlySpan<char> d)
    {
        if (d.Length != 9 || d.IndexOfAnyExcept('0') < 0)
        {
            return false;
        }

        int sum = 0;
        for (int i = 0; i < 8; i++)
        {
            sum += (d[i] - '0') * (9 - i);
        }

        sum -= d[8] - '0';
        return sum % 11 == 0;
    }

    /// <summary>
    /// German tax identification number (Steuer-ID): 11 digits, no leading 0; among the first ten exactly one digit appears
    /// two or three times (and not three times in a row) and the rest once; the eleventh is the ISO 7064 MOD 11,10 check digit.
    /// </summary>
    internal static bool DeTaxId(ReadOnlySpan<char> d)
    {
        if (d.Length != 11 || d[0] == '0')
        {
            return false;
        }

        Span<int> counts = stackalloc int[10];
        for (int i = 0; i < 10; i++)
        {
            counts[d[i] - '0']++;
        }

        int repeated = 0, missing = 0;
        foreach (int c in counts)
        {
            if (c > 3)
            {
                return false;
            }

            repeated += c >= 2 ? 1 : 0;
            missing += c == 0 ? 1 : 0;
        }

        if (repeated != 1 || missing is < 1 or > 2)
        {
            return false;
        }

        for (int i = 0; i + 2 < 10; i++)
        {
            if (d[i] == d[i + 1] && d[i] == d[i + 2])
            {
                return false;
            }
        }

        int product = 10;
        for (int i = 0; i < 10; i++)
        {
            int sum = (d[i] - '0' + product) % 10;
            if (sum == 0)
            {
                sum = 10;
            }

            product = sum * 2 % 11;
        }

        int check = 11 - product;
        return (check == 10 ? 0 : check) == d[10] - '0';
    }

    /// <summary>Indian Aadhaar: 12 digits, the first 2 to 9, the last a Verhoeff check digit.</summary>
    internal static bool InAadhaar(ReadOnlySpan<char> d) => d.Length == 12 && d[0] is >= '2' and <= '9' && Verhoeff(d);

    /// <summary>The Verhoeff check (dihedral group D5): true when the last digit checks the others.</summary>
    internal static bool Verhoeff(ReadOnlySpan<char> d)
    {
        ReadOnlySpan<byte> mul =
        [
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 0, 6, 7, 8, 9, 5, 2, 3, 4, 0, 1, 7, 8, 9, 5, 6, 3, 4, 0, 1, 2, 8, 9, 5, 6, 7,
            4, 0, 1, 2, 3, 9, 5, 6, 7, 8, 5, 9, 8, 7, 6, 0, 4, 3, 2, 1, 6, 5, 9, 8, 7, 1, 0, 4, 3, 2, 7, 6, 5, 9, 8, 2, 1, 0, 4, 3,
            8, 7, 6, 5, 9, 3, 2, 1, 0, 4, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
        ];
        ReadOnlySpan<byte> perm =
        [
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 5, 7, 6, 2, 8, 3, 0, 9, 4, 5, 8, 0, 3, 7, 9, 6, 1, 4, 2, 8, 9, 1, 6, 0, 4, 3, 5, 2, 7,
            9, 4, 5, 3, 1, 2, 6, 8, 7, 0, 4, 2, 8, 6, 5, 7, 3, 9, 0, 1, 2, 7, 9, 3, 8, 0, 6, 4, 1, 5, 7, 0, 4, 6, 9, 1, 3, 2, 5, 8,
        ];
        int c = 0;
        for (int i = 0; i < d.Length; i++)
        {
            int digit = d[d.Length - 1 - i] - '0';
            c = mul[(c * 10) + perm[((i % 8) * 10) + digit]];
        }

        return c == 0;
    }

    /// <summary>
    /// French social security number (NIR, "numéro INSEE"): 13 characters (sex, year, month, department with 2A/2B for
    /// Corsica, commune, order) and a key of two digits, 97 - (the 13 as a number mod 97), with 2A read as 19 and 2B as 18.
    /// </summary>
    internal static bool FrInsee(ReadOnlySpan<char> c)
    {
        if (c.Length != 15 || c[0] is not ('1' or '2' or '3' or '4' or '7' or '8'))
        {
            return false;
        }

        int month = ((c[3] - '0') * 10) + (c[4] - '0');
        if (!char.IsAsciiDigit(c[3]) || !char.IsAsciiDigit(c[4]) || month is 0 or (> 12 and < 20))
        {
            return false;
        }

        long n = 0;
        long corsica = 0;
        for (int i = 0; i < 13; i++)
        {
            char ch = c[i];
            if (i == 6 && c[5] == '2' && ch is 'A' or 'B')
            {
                corsica = ch == 'A' ? 1_000_000 : 2_000_000; // 2A -> 19, 2B -> 18: subtract from "20"
                ch = '0';
            }
            else if (!char.IsAsciiDigit(ch))
            {
                return false;
            }

            n = (n * 10) + (ch - '0');
        }

        if (!char.IsAsciiDigit(c[13]) || !char.IsAsciiDigit(c[14]))
        {
            return false;
        }

        n -= corsica;
        int key = ((c[13] - '0') * 10) + (c[14] - '0');
        return key == 97 - (int)(n % 97);
    }

    /// <summary>Spanish DNI: 8 digits and the letter of (number mod 23).</summary>
    internal static bool EsDni(ReadOnlySpan<char> digits, char letter) =>
        digits.Length == 8 && int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && DniLetters[n % 23] == letter;

    /// <summary>Spanish NIE: X, Y or Z (read as 0, 1, 2), 7 digits, and the DNI letter of the 8-digit number.</summary>
    internal static bool EsNie(char prefix, ReadOnlySpan<char> digits, char letter)
    {
        if (digits.Length != 7 || prefix is not ('X' or 'Y' or 'Z') || !int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            return false;
        }

        return DniLetters[(((prefix - 'X') * 10_000_000) + n) % 23] == letter;
    }

    /// <summary>
    /// Italian codice fiscale: 16 characters (surname 3 letters, name 3, year 2 digits, month letter, day 2 digits, place: a
    /// letter and 3 digits, check letter); any digit may be replaced by its omocodia letter (L M N P Q R S T U V). The check
    /// letter is the sum of the odd positions' table values and the even positions' values, mod 26.
    /// </summary>
    internal static bool ItFiscalCode(ReadOnlySpan<char> c)
    {
        if (c.Length != 16)
        {
            return false;
        }

        for (int i = 0; i < 15; i++)
        {
            bool digitSlot = i is 6 or 7 or 9 or 10 or 12 or 13 or 14;
            char ch = c[i];
            if (digitSlot ? !(char.IsAsciiDigit(ch) || "LMNPQRSTUV".Contains(ch)) : !char.IsAsciiLetterUpper(ch))
            {
                return false;
            }
        }

        if (!"ABCDEHLMPRST".Contains(c[8]) || !char.IsAsciiLetterUpper(c[15]))
        {
            return false;
        }

        ReadOnlySpan<int> odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
        int sum = 0;
        for (int i = 0; i < 15; i++)
        {
            char ch = c[i];
            int v = char.IsAsciiDigit(ch) ? ch - '0' : ch - 'A';
            sum += i % 2 == 0 ? odd[v] : v;
        }

        return c[15] == (char)('A' + (sum % 26));
    }

    /// <summary>UK National Insurance number prefix: neither letter D F I Q U V, the second not O, and not BG GB KN NK NT TN ZZ.</summary>
    internal static bool UkNinoPrefix(char a, char b) =>
        char.IsAsciiLetterUpper(a) && char.IsAsciiLetterUpper(b)
        && !"DFIQUV".Contains(a) && !"DFIQUVO".Contains(b)
        && (a, b) is not (('B', 'G') or ('G', 'B') or ('K', 'N') or ('N', 'K') or ('N', 'T') or ('T', 'N') or ('Z', 'Z'));

    /// <summary>The ICAO 9303 check digit (weights 7 3 1; digits as themselves, A-Z as 10-35, the filler &lt; as 0) of <paramref name="field"/>.</summary>
    internal static int IcaoCheck(ReadOnlySpan<char> field)
    {
        ReadOnlySpan<int> w = [7, 3, 1];
        int sum = 0;
        for (int i = 0; i < field.Length; i++)
        {
            char ch = field[i];
            int v = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiLetterUpper(ch) ? ch - 'A' + 10 : 0;
            sum += v * w[i % 3];
        }

        return sum % 10;
    }

    /// <summary>
    /// The second line of a passport's machine-readable zone (ICAO 9303 TD3, 44 characters): document number, nationality,
    /// birth date, sex, expiry, optional data, each with its check digit, and the composite check digit over them.
    /// </summary>
    internal static bool PassportMrzLine2(ReadOnlySpan<char> l)
    {
        if (l.Length != 44)
        {
            return false;
        }

        foreach (char ch in l)
        {
            if (!(char.IsAsciiDigit(ch) || char.IsAsciiLetterUpper(ch) || ch == '<'))
            {
                return false;
            }
        }

        static bool Digit(char ch, int expected) => ch == '<' ? expected == 0 : ch - '0' == expected;
        if (!Digit(l[9], IcaoCheck(l[..9])) || !Digit(l[19], IcaoCheck(l[13..19])) || !Digit(l[27], IcaoCheck(l[21..27])) || !Digit(l[42], IcaoCheck(l[28..42])))
        {
            return false;
        }

        Span<char> composite = stackalloc char[39];
        l[..10].CopyTo(composite);
        l[13..20].CopyTo(composite[10..]);
        l[21..43].CopyTo(composite[17..]);
        return Digit(l[43], IcaoCheck(composite));
    }
}
