using System.Text;
using Mesh.Gateway.Guardrails;
using Check = Mesh.Gateway.Guardrails.Pii.NationalIdChecks;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// National identifiers in sentences, for types no public labelled set covers: for each type, numbers built from its
/// published rule (random body, check digits computed; deterministic), written in the forms people use, inside sentences
/// with the type's own context word and inside sentences without one. Negatives: the same numbers with one character
/// changed (the check must reject them; not for passports and NINOs, which have no check digit), and every text of the phone fixture and the not-phones sentences (numbers that
/// are not national IDs). The default policy runs with every type on, so a number claimed by the wrong type is a miss and
/// a false positive. What this measures is the implementation, the shapes and the context rule; the values are synthetic
/// (built by the same published rules the detector checks), so no figure here says how real documents write them.
/// </summary>
internal static class NationalIdTexts
{
    internal const int PerType = 100;

    internal sealed record Text(string Type, string Value, bool Context, bool Positive, int Start, int End);

    internal sealed record Counts(string Type, int Positives, int TpContext, int FnContext, int TpBare, int FnBare, int Fp)
    {
        public double RecallWithContext => TpContext + FnContext == 0 ? double.NaN : (double)TpContext / (TpContext + FnContext);

        public double RecallBare => TpBare + FnBare == 0 ? double.NaN : (double)TpBare / (TpBare + FnBare);

        public double Precision => TpContext + TpBare + Fp == 0 ? 1 : (double)(TpContext + TpBare) / (TpContext + TpBare + Fp);
    }

    private static readonly Dictionary<string, string[]> ContextTemplates = new(StringComparer.Ordinal)
    {
        [PiiEntityTypes.UkNhs] = ["My NHS number is {0}.", "Please quote NHS no. {0} when you call the surgery."],
        [PiiEntityTypes.AuTfn] = ["My TFN is {0}.", "Tax file number: {0}"],
        [PiiEntityTypes.NlBsn] = ["Mijn BSN is {0}.", "Burgerservicenummer: {0}"],
        [PiiEntityTypes.DeTaxId] = ["Meine Steuer-ID lautet {0}.", "Steuerliche Identifikationsnummer: {0}"],
        [PiiEntityTypes.InAadhaar] = ["My Aadhaar number is {0}.", "Aadhaar: {0} (linked to the bank account)"],
        [PiiEntityTypes.FrInsee] = ["Mon numéro de sécurité sociale est {0}.", "N° INSEE : {0}"],
        [PiiEntityTypes.EsDni] = ["Mi DNI es {0}.", "Documento nacional de identidad: {0}"],
        [PiiEntityTypes.EsNie] = ["Mi NIE es {0}.", "Número de identidad de extranjero: {0}"],
        [PiiEntityTypes.UkNino] = ["My National Insurance number is {0}.", "NI number: {0}"],
        [PiiEntityTypes.ItFiscalCode] = ["Il mio codice fiscale è {0}.", "Codice fiscale: {0}"],
        [PiiEntityTypes.Passport] = ["My passport number is {0}.", "Passport no. {0}, expires next year"],
    };

    private static readonly string[] BareTemplates = ["Please keep {0} with the other papers.", "The form says {0} in the second box.", "{0} was written on the back of the envelope."];

    internal static List<Text> Load()
    {
        var rng = new Rng(0x5EED_1D5);
        var texts = new List<Text>();
        int k = 0;
        foreach (string type in PiiEntityTypes.NationalIds)
        {
            for (int n = 0; n < PerType; n++)
            {
                var forms = Make(type, rng);
                string value = forms[n % forms.Length];
                string withContext = ContextTemplates[type][n % ContextTemplates[type].Length];
                string bare = BareTemplates[k++ % BareTemplates.Length];
                texts.Add(Place(type, withContext, value, context: true, positive: true));
                texts.Add(Place(type, bare, value, context: false, positive: true));
                if (type is not (PiiEntityTypes.Passport or PiiEntityTypes.UkNino))
                {
                    // Passport numbers and NINOs carry no check digit: a changed digit is still one.
                    texts.Add(Place(type, withContext, Corrupt(value, rng), context: true, positive: false));
                }
            }
        }

        // Texts with numbers that are not national IDs: every phone example (six forms) and the not-phones sentences.
        foreach (var p in PhoneTexts.Load())
        {
            texts.Add(new Text("", p.Value, false, false, 0, 0));
        }

        return texts;
    }

    /// <summary>Per type: recall with and without the context word (exact span, right type), and false positives of that type anywhere.</summary>
    internal static List<Counts> Evaluate(IGuardrailEngine engine, GuardPolicy policy)
    {
        var counts = PiiEntityTypes.NationalIds.ToDictionary(t => t, _ => (P: 0, Tc: 0, Fc: 0, Tb: 0, Fb: 0, Fp: 0), StringComparer.Ordinal);
        foreach (var t in Load())
        {
            var found = engine.Inspect(t.Value, GuardDirection.Input, policy).Findings.Where(f => counts.ContainsKey(f.Type)).ToList();
            bool hit = false;
            if (t.Positive)
            {
                hit = found.Any(f => f.Type == t.Type && f.Utf16Start == t.Start && f.Utf16End == t.End);
                var c = counts[t.Type];
                c.P++;
                if (t.Context)
                {
                    c.Tc += hit ? 1 : 0;
                    c.Fc += hit ? 0 : 1;
                }
                else
                {
                    c.Tb += hit ? 1 : 0;
                    c.Fb += hit ? 0 : 1;
                }

                counts[t.Type] = c;
            }

            foreach (var f in found)
            {
                if (!(hit && f.Type == t.Type && f.Utf16Start == t.Start && f.Utf16End == t.End))
                {
                    var c = counts[f.Type];
                    c.Fp++;
                    counts[f.Type] = c;
                }
            }
        }

        return [.. counts.Select(kv => new Counts(kv.Key, kv.Value.P, kv.Value.Tc, kv.Value.Fc, kv.Value.Tb, kv.Value.Fb, kv.Value.Fp))];
    }

    private static Text Place(string type, string template, string value, bool context, bool positive)
    {
        int at = template.IndexOf("{0}", StringComparison.Ordinal);
        return new Text(type, template.Replace("{0}", value, StringComparison.Ordinal), context, positive, at, at + value.Length);
    }

    /// <summary>One digit changed to another digit (or, in a value without digits where it matters, one letter).</summary>
    private static string Corrupt(string value, Rng rng)
    {
        var positions = Enumerable.Range(0, value.Length).Where(i => char.IsAsciiDigit(value[i])).ToList();
        var chars = value.ToCharArray();
        int p = positions[rng.Next(positions.Count)];
        chars[p] = (char)('0' + ((chars[p] - '0' + 1 + rng.Next(9)) % 10));
        return new string(chars);
    }

    /// <summary>A valid value of <paramref name="type"/> in each of its written forms.</summary>
    private static string[] Make(string type, Rng rng)
    {
        while (true)
        {
            string? d;
            switch (type)
            {
                case PiiEntityTypes.UkNhs:
                    d = WithCheckDigit(Digits(rng, 9), s => Check.UkNhs(s));
                    if (d is not null)
                    {
                        return [$"{d[..3]} {d[3..6]} {d[6..]}", d, $"{d[..3]}-{d[3..6]}-{d[6..]}"];
                    }

                    break;
                case PiiEntityTypes.AuTfn:
                    d = WithCheckDigit(Digits(rng, 8), s => Check.AuTfn(s));
                    if (d is not null)
                    {
                        return [$"{d[..3]} {d[3..6]} {d[6..]}", d];
                    }

                    break;
                case PiiEntityTypes.NlBsn:
                    d = WithCheckDigit(Digits(rng, 8), s => Check.NlBsn(s));
                    if (d is not null)
                    {
                        return [d, $"{d[..4]}.{d[4..6]}.{d[6..]}"];
                    }

                    break;
                case PiiEntityTypes.DeTaxId:
                    var pool = Enumerable.Range(0, 10).OrderBy(_ => rng.Next(1000)).ToList();
                    var ten = pool.Take(9).ToList();
                    ten.Insert(rng.Next(10), ten[rng.Next(9)]);
                    if (ten[0] == 0)
                    {
                        break;
                    }

                    d = WithCheckDigit(string.Concat(ten), s => Check.DeTaxId(s));
                    if (d is not null)
                    {
                        return [d, $"{d[..2]} {d[2..5]} {d[5..8]} {d[8..]}"];
                    }

                    break;
                case PiiEntityTypes.InAadhaar:
                    d = WithCheckDigit((char)('2' + rng.Next(8)) + Digits(rng, 10), s => Check.InAadhaar(s));
                    if (d is not null)
                    {
                        return [$"{d[..4]} {d[4..8]} {d[8..]}", d];
                    }

                    break;
                case PiiEntityTypes.FrInsee:
                {
                    int dept = rng.Next(97);
                    string dep = dept == 0 ? "2A" : dept == 96 ? "2B" : dept.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
                    string body = $"{1 + rng.Next(2)}{Digits(rng, 2)}{1 + rng.Next(12):D2}{dep}{1 + rng.Next(989):D3}{1 + rng.Next(998):D3}";
                    long n = long.Parse(body.Replace("2A", "19", StringComparison.Ordinal).Replace("2B", "18", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
                    string v = body + (97 - (n % 97)).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
                    return [$"{v[..1]} {v[1..3]} {v[3..5]} {v[5..7]} {v[7..10]} {v[10..13]} {v[13..]}", v];
                }

                case PiiEntityTypes.EsDni:
                {
                    string digits = Digits(rng, 8);
                    char letter = "TRWAGMYFPDXBNJZSQVHLCKE"[int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 23];
                    return [digits + letter, digits + "-" + letter];
                }

                case PiiEntityTypes.EsNie:
                {
                    char prefix = "XYZ"[rng.Next(3)];
                    string digits = Digits(rng, 7);
                    char letter = "TRWAGMYFPDXBNJZSQVHLCKE"[(((prefix - 'X') * 10_000_000) + int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture)) % 23];
                    return [$"{prefix}{digits}{letter}", $"{prefix}-{digits}-{letter}"];
                }

                case PiiEntityTypes.UkNino:
                {
                    const string First = "ABCEGHJKLMNOPRSTWXYZ", Second = "ABCEGHJKLMNPRSTWXYZ";
                    char a = First[rng.Next(First.Length)], b = Second[rng.Next(Second.Length)];
                    if (!Check.UkNinoPrefix(a, b))
                    {
                        break;
                    }

                    string digits = Digits(rng, 6);
                    char suffix = "ABCD"[rng.Next(4)];
                    return [$"{a}{b} {digits[..2]} {digits[2..4]} {digits[4..]} {suffix}", $"{a}{b}{digits}{suffix}"];
                }

                case PiiEntityTypes.ItFiscalCode:
                {
                    const string Consonants = "BCDFGHJKLMNPRSTVZ";
                    var sb = new StringBuilder();
                    for (int i = 0; i < 6; i++)
                    {
                        sb.Append(Consonants[rng.Next(Consonants.Length)]);
                    }

                    sb.Append(Digits(rng, 2)).Append("ABCDEHLMPRST"[rng.Next(12)]).Append(((1 + rng.Next(28)) + (rng.Next(2) * 40)).ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
                        .Append((char)('A' + rng.Next(26))).Append(Digits(rng, 3));
                    for (char c = 'A'; c <= 'Z'; c++)
                    {
                        if (Check.ItFiscalCode(sb.ToString() + c))
                        {
                            return [sb.ToString() + c];
                        }
                    }

                    break;
                }

                case PiiEntityTypes.Passport:
                {
                    string number = rng.Next(3) switch { 0 => Digits(rng, 9), 1 => (char)('A' + rng.Next(26)) + Digits(rng, 8), _ => $"{(char)('A' + rng.Next(26))}{(char)('A' + rng.Next(26))}{Digits(rng, 7)}" };
                    return [number];
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, null);
            }
        }
    }

    private static string? WithCheckDigit(string body, Func<string, bool> valid)
    {
        for (char c = '0'; c <= '9'; c++)
        {
            if (valid(body + c))
            {
                return body + c;
            }
        }

        return null;
    }

    private static string Digits(Rng rng, int n)
    {
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; i++)
        {
            sb.Append((char)('0' + rng.Next(10)));
        }

        return sb.ToString();
    }

    private sealed class Rng(ulong state)
    {
        private ulong _s = state;

        internal int Next(int max)
        {
            _s ^= _s << 13;
            _s ^= _s >> 7;
            _s ^= _s << 17;
            return (int)(_s % (ulong)max);
        }
    }
}
