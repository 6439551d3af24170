using System.Text.Json;
using Mesh.Gateway.Guardrails;
using PhoneNumbers;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// Phone numbers in context: libphonenumber's example number for every region and type (246 regions), written in the ways
/// people write them (international with spaces, E.164, hyphens, the 00 prefix, "(+CC)", and the national format), each
/// inside a sentence; plus sentences full of numbers that are not phones (prices, versions, dates, order numbers, ISBNs,
/// percentages), for precision. The rules were not written with these texts in view.
/// </summary>
internal static class PhoneTexts
{
    internal sealed record Text(string Format, string Value, bool Phone, int Start, int End);

    internal sealed record Counts(string Format, int Texts, int Tp, int Fp, int Fn)
    {
        public double Precision => Tp + Fp == 0 ? 1 : (double)Tp / (Tp + Fp);

        public double Recall => Tp + Fn == 0 ? 1 : (double)Tp / (Tp + Fn);
    }

    internal static readonly string[] Formats = ["international", "E.164", "international, hyphens", "00 prefix", "(+CC)", "national (no country code)"];

    private static readonly string[] Templates =
    [
        "Call me on {0} after six.",
        "You can reach our office at {0} during business hours.",
        "Contact: Maria Lopez, {0}",
        "My new number is {0}, please update it.",
        "If the delivery fails, the courier will ring {0}.",
        "Tel. {0} / Fax on request",
        "Text {0} with your booking reference.",
        "For support dial {0}; lines are open 9-5.",
        "The hotel's front desk ({0}) can arrange a taxi.",
        "{0} is the emergency contact listed on the form.",
    ];

    private static readonly string[] NotPhones =
    [
        "The invoice total is 1,234.56 EUR, due on 2024-03-15.",
        "Version 10.0.12 fixed the crash reported in build 20240315.1.",
        "Order 4512 3341 shipped on 12/03/2024 in 3 boxes.",
        "ISBN 978-3-16-148410-0 is the second edition.",
        "Sales grew +20% to 1 250 000 units in Q3 2023.",
        "Meet at 10:30 in room 4.12, building 7.",
        "The GPS position was 48.8584, 2.2945 at 14:05:33.",
        "Temperatures ranged from -5 to +12 degrees between 1998 and 2004.",
        "Ticket 2023-0045-7781 was closed after 36 hours.",
        "Pay 49.99 now or 3 x 17.50 over three months.",
        "The population rose from 8 336 817 to 8 804 190 between 2010 and 2020.",
        "Lot numbers 20231 20232 and 20233 were recalled.",
        "Use coupon code 4471 2290 before 31.12.2024.",
        "Score: 3-1 after 90+4 minutes; attendance 61 235.",
        "The part number is 06-4471-220 and the batch 7781.",
    ];

    internal static List<Text> Load()
    {
        var util = PhoneNumberUtil.GetInstance();
        var texts = new List<Text>();
        int k = 0;
        foreach (string line in File.ReadLines(Fixtures.PathOf("pii", "libphonenumber-examples", "example_numbers.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string e164 = r.GetProperty("e164").GetString()!;
            string region = r.GetProperty("region").GetString()!;
            PhoneNumber number;
            try
            {
                number = util.Parse(e164, "ZZ");
            }
            catch (NumberParseException)
            {
                continue;
            }

            string intl = util.Format(number, PhoneNumberFormat.INTERNATIONAL);
            string cc = "+" + number.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string rest = intl.StartsWith(cc, StringComparison.Ordinal) ? intl[cc.Length..].TrimStart() : intl;
            string national = util.Format(number, PhoneNumberFormat.NATIONAL);
            var forms = new[]
            {
                ("international", intl),
                ("E.164", e164),
                ("international, hyphens", cc + "-" + rest.Replace(' ', '-')),
                ("00 prefix", "00" + intl[1..]),
                ("(+CC)", "(" + cc + ") " + rest),
                ("national (no country code)", national),
            };
            foreach (var (format, value) in forms)
            {
                if (region == "001" && format.StartsWith("national", StringComparison.Ordinal))
                {
                    continue;
                }

                string template = Templates[k++ % Templates.Length];
                int at = template.IndexOf("{0}", StringComparison.Ordinal);
                texts.Add(new Text(format, template.Replace("{0}", value, StringComparison.Ordinal), true, at, at + value.Length));
            }
        }

        foreach (string t in NotPhones)
        {
            texts.Add(new Text("not phones", t, false, 0, 0));
        }

        return texts;
    }

    /// <summary>Exact span match per format at <paramref name="policy"/> (phone findings only). Every phone finding in a not-phones text is a false positive.</summary>
    internal static List<Counts> Evaluate(IGuardrailEngine engine, GuardPolicy policy)
    {
        var counts = new Dictionary<string, (int N, int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        foreach (var t in Load())
        {
            var found = engine.Inspect(t.Value, GuardDirection.Input, policy).Findings.Where(f => f.Type == PiiEntityTypes.Phone).ToList();
            var c = counts.GetValueOrDefault(t.Format);
            c.N++;
            if (t.Phone)
            {
                bool hit = found.Any(f => f.Utf16Start == t.Start && f.Utf16End == t.End);
                c.Tp += hit ? 1 : 0;
                c.Fn += hit ? 0 : 1;
                c.Fp += found.Count(f => !(f.Utf16Start == t.Start && f.Utf16End == t.End));
            }
            else
            {
                c.Fp += found.Count;
            }

            counts[t.Format] = c;
        }

        return [.. counts.Select(kv => new Counts(kv.Key, kv.Value.N, kv.Value.Tp, kv.Value.Fp, kv.Value.Fn))];
    }
}
