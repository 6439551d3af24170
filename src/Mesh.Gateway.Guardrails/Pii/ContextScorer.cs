using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Raises a finding's score when a context word for its type stands just before it ("my SSN is ..."), and lowers it for words that point elsewhere ("order number").</summary>
internal static class ContextScorer
{
    internal const int Window = 48;
    internal const double Boost = 0.35;
    internal const double Penalty = 0.3;

    private static readonly string[] PhoneWords = ["phone", "tel", "mobile", "cell", "call", "fax", "whatsapp", "number", "contact", "reach me", "text me", "sms"];
    private static readonly string[] SsnWords = ["ssn", "social security", "social sec", "ss#", "taxpayer"];
    private static readonly string[] CardWords = ["card", "credit", "debit", "visa", "mastercard", "amex", "payment", "cc#", "cvv"];
    private static readonly string[] IbanWords = ["iban", "bank", "account", "transfer", "swift", "bic"];
    private static readonly string[] IpWords = ["ip", "address", "server", "host", "connect", "gateway"];
    private static readonly string[] WalletWords = ["wallet", "bitcoin", "btc", "eth", "address", "crypto"];
    private static readonly string[] NegativeNumberWords = ["order", "invoice", "tracking", "isbn", "serial", "version", "ref", "sku", "part no"];

    internal static void Apply(ReadOnlySpan<char> t, List<RawFinding> findings)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(findings);
        for (int k = 0; k < span.Length; k++)
        {
            ref RawFinding f = ref span[k];
            string[]? words = f.Type switch
            {
                PiiEntityTypes.Phone => PhoneWords,
                PiiEntityTypes.UsSsn => SsnWords,
                PiiEntityTypes.CreditCard => CardWords,
                PiiEntityTypes.Iban => IbanWords,
                PiiEntityTypes.IpAddress => IpWords,
                PiiEntityTypes.CryptoWallet => WalletWords,
                _ => null,
            };
            if (words is null)
            {
                continue;
            }

            var before = t[Math.Max(0, f.Start - Window)..f.Start];
            if (ContainsAny(before, words))
            {
                f.Score = Math.Min(1.0, f.Score + Boost);
            }
            else if (f.Type is PiiEntityTypes.Phone or PiiEntityTypes.UsSsn or PiiEntityTypes.CreditCard && ContainsAny(before, NegativeNumberWords))
            {
                f.Score = Math.Max(0.0, f.Score - Penalty);
            }
        }
    }

    private static bool ContainsAny(ReadOnlySpan<char> text, string[] words)
    {
        foreach (string w in words)
        {
            int from = 0;
            while (from < text.Length)
            {
                int idx = text[from..].IndexOf(w, StringComparison.OrdinalIgnoreCase);
                if (idx < 0)
                {
                    break;
                }

                int s = from + idx;
                int e = s + w.Length;
                // Whole word at the start ("tel" must not match "hotel"); a plural or suffix after is fine.
                if (Chars.IsWordStart(text, s))
                {
                    return true;
                }

                from = e;
            }
        }

        return false;
    }
}
