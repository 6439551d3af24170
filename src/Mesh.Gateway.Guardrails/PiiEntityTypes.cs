namespace Mesh.Gateway.Guardrails;

/// <summary>The PII and secret entity type names used in configuration and in <see cref="GuardFinding.Type"/>.</summary>
public static class PiiEntityTypes
{
    public const string Email = "email";
    public const string CreditCard = "credit_card";
    public const string Phone = "phone";
    public const string Iban = "iban";
    public const string UsSsn = "us_ssn";
    public const string IpAddress = "ip_address";
    public const string Url = "url";
    public const string CryptoWallet = "crypto_wallet";
    public const string AwsAccessKey = "aws_access_key";
    public const string OpenAiKey = "openai_api_key";
    public const string AnthropicKey = "anthropic_api_key";
    public const string GitHubToken = "github_token";
    public const string Jwt = "jwt";
    public const string PrivateKey = "private_key";
    public const string Secret = "secret";

    /// <summary>UK NHS number (10 digits, mod 11 check digit).</summary>
    public const string UkNhs = "uk_nhs";

    /// <summary>Australian tax file number (9 digits, weighted mod 11).</summary>
    public const string AuTfn = "au_tfn";

    /// <summary>Dutch citizen service number, BSN (9 digits, the 11-test).</summary>
    public const string NlBsn = "nl_bsn";

    /// <summary>German tax identification number, Steuer-ID (11 digits, ISO 7064 MOD 11,10).</summary>
    public const string DeTaxId = "de_tax_id";

    /// <summary>Indian Aadhaar number (12 digits, Verhoeff).</summary>
    public const string InAadhaar = "in_aadhaar";

    /// <summary>French social security number, NIR / numéro INSEE (13 characters and a mod-97 key).</summary>
    public const string FrInsee = "fr_insee";

    /// <summary>Spanish DNI (8 digits and the mod-23 letter).</summary>
    public const string EsDni = "es_dni";

    /// <summary>Spanish foreigner's number, NIE (X/Y/Z, 7 digits, the mod-23 letter).</summary>
    public const string EsNie = "es_nie";

    /// <summary>UK National Insurance number (two letters, six digits, A-D; no check digit, prefix rules).</summary>
    public const string UkNino = "uk_nino";

    /// <summary>Italian codice fiscale (16 characters, check letter).</summary>
    public const string ItFiscalCode = "it_fiscal_code";

    /// <summary>Passport numbers: after a passport word, or a whole machine-readable-zone line with valid check digits.</summary>
    public const string Passport = "passport";

    /// <summary>The configuration alias that names every national identifier and passport type.</summary>
    public const string NationalIdsGroup = "national_ids";

    /// <summary>Every national identifier and passport type.</summary>
    public static IReadOnlyList<string> NationalIds { get; } =
        [UkNhs, AuTfn, NlBsn, DeTaxId, InAadhaar, FrInsee, EsDni, EsNie, UkNino, ItFiscalCode, Passport];

    /// <summary>The configuration alias that names every secret type.</summary>
    public const string SecretsGroup = "secrets";

    /// <summary>Every secret type.</summary>
    public static IReadOnlyList<string> Secrets { get; } =
        [AwsAccessKey, OpenAiKey, AnthropicKey, GitHubToken, Jwt, PrivateKey, Secret];

    /// <summary>Every entity type, in detection priority order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Email, CreditCard, Phone, Iban, UsSsn, IpAddress, Url, CryptoWallet, AwsAccessKey, OpenAiKey, AnthropicKey, GitHubToken, Jwt, PrivateKey, Secret,
         UkNhs, AuTfn, NlBsn, DeTaxId, InAadhaar, FrInsee, EsDni, EsNie, UkNino, ItFiscalCode, Passport];
}
