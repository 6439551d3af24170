using System.Buffers;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Raises a finding's score when a context word for its type stands just before it ("my SSN is ..."), and lowers it for words that point elsewhere ("order number").</summary>
internal static class ContextScorer
{
    internal const int Window = 48;
    internal const double Boost = 0.35;
    internal const double Penalty = 0.3;

    private static readonly SearchValues<string> PhoneWords = SearchValues.Create(["phone", "tel", "mobile", "cell", "call", "fax", "whatsapp", "number", "contact", "reach me", "text me", "sms"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> SsnWords = SearchValues.Create(["ssn", "social security", "social sec", "ss#", "taxpayer"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> CardWords = SearchValues.Create(["card", "credit", "debit", "visa", "mastercard", "amex", "payment", "cc#", "cvv"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> IbanWords = SearchValues.Create(["iban", "bank", "account", "transfer", "swift", "bic"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> IpWords = SearchValues.Create(["ip", "address", "server", "host", "connect", "gateway"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> WalletWords = SearchValues.Create(["wallet", "bitcoin", "btc", "eth", "address", "crypto"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> NhsWords = SearchValues.Create(["nhs", "health service", "patient number"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> TfnWords = SearchValues.Create(["tfn", "tax file"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> BsnWords = SearchValues.Create(["bsn", "burgerservicenummer", "sofinummer", "sofi", "citizen service"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> SteuerWords = SearchValues.Create(["steuer", "identifikationsnummer", "idnr", "tax id", "tax identification", "tin"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> AadhaarWords = SearchValues.Create(["aadhaar", "aadhar", "uidai", "uid"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> InseeWords = SearchValues.Create(["insee", "sécurité sociale", "securite sociale", "nir", "sécu", "secu", "social security"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> SpanishIdWords = SearchValues.Create(["dni", "nie", "nif", "documento", "identidad", "extranjero"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> NinoWords = SearchValues.Create(["national insurance", "nino", "ni number", "ni no"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> FiscalCodeWords = SearchValues.Create(["codice fiscale", "fiscal code", "tax code", "cf"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> NegativeNumberWords = SearchValues.Create(["order", "invoice", "tracking", "isbn", "serial", "version", "ref", "sku", "part no"], StringComparison.OrdinalIgnoreCase);

    internal static void Apply(ReadOnlySpan<char> t, List<RawFinding> findings)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(findings);
        for (int k = 0; k < span.Length; k++)
        {
            ref RawFinding f = ref span[k];
            SearchValues<string>? words = f.Type switch
            {
                PiiEntityTypes.Phone => PhoneWords,
                PiiEntityTypes.UsSsn => SsnWords,
                PiiEntityTypes.CreditCard => CardWords,
                PiiEntityTypes.Iban => IbanWords,
                PiiEntityTypes.IpAddress => IpWords,
                PiiEntityTypes.CryptoWallet => WalletWords,
                PiiEntityTypes.UkNhs => NhsWords,
                PiiEntityTypes.AuTfn => TfnWords,
                PiiEntityTypes.NlBsn => BsnWords,
                PiiEntityTypes.DeTaxId => SteuerWords,
                PiiEntityTypes.InAadhaar => AadhaarWords,
                PiiEntityTypes.FrInsee => InseeWords,
                PiiEntityTypes.EsDni or PiiEntityTypes.EsNie => SpanishIdWords,
                PiiEntityTypes.UkNino => NinoWords,
                PiiEntityTypes.ItFiscalCode => FiscalCodeWords,
                _ => null,
            };
            if (words is null)
            {
                continue;
            }

            var before = t[Math.Max(0, f.Start - Window)..f.Start];
            if (ContainsAny(before, words))
            {
                // A national ID's own word ("NHS", "Steuer-ID") next to digits its check accepts outweighs a generic one ("number").
                f.Score = IsNationalId(f.Type) ? 1.0 : Math.Min(1.0, f.Score + Boost);
            }
            else if (f.Type is PiiEntityTypes.Phone or PiiEntityTypes.UsSsn or PiiEntityTypes.CreditCard && ContainsAny(before, NegativeNumberWords))
            {
                f.Score = Math.Max(0.0, f.Score - Penalty);
            }
        }
    }

    private static bool IsNationalId(string type) => type is PiiEntityTypes.UkNhs or PiiEntityTypes.AuTfn or PiiEntityTypes.NlBsn or PiiEntityTypes.DeTaxId
        or PiiEntityTypes.InAadhaar or PiiEntityTypes.FrInsee or PiiEntityTypes.EsDni or PiiEntityTypes.EsNie or PiiEntityTypes.UkNino or PiiEntityTypes.ItFiscalCode;

    private static bool ContainsAny(ReadOnlySpan<char> text, SearchValues<string> words)
    {
        int from = 0;
        while (from < text.Length)
        {
            int idx = text[from..].IndexOfAny(words);
            if (idx < 0)
            {
                return false;
            }

            // Whole word at the start ("tel" must not match "hotel"); a plural or suffix after is fine.
            if (Chars.IsWordStart(text, from + idx))
            {
                return true;
            }

            from += idx + 1;
        }

        return false;
    }
}
