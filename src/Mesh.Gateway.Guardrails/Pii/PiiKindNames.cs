namespace Mesh.Gateway.Guardrails.Pii;

internal static class PiiKindNames
{
    internal static bool TryParse(string name, out PiiKinds kind)
    {
        kind = name.Trim().ToLowerInvariant() switch
        {
            PiiEntityTypes.Email => PiiKinds.Email,
            PiiEntityTypes.CreditCard => PiiKinds.CreditCard,
            PiiEntityTypes.Phone or "phone_number" => PiiKinds.Phone,
            PiiEntityTypes.Iban => PiiKinds.Iban,
            PiiEntityTypes.UsSsn or "ssn" => PiiKinds.UsSsn,
            PiiEntityTypes.IpAddress or "ip" => PiiKinds.IpAddress,
            PiiEntityTypes.Url => PiiKinds.Url,
            PiiEntityTypes.CryptoWallet or "crypto" => PiiKinds.CryptoWallet,
            PiiEntityTypes.AwsAccessKey => PiiKinds.AwsAccessKey,
            PiiEntityTypes.OpenAiKey => PiiKinds.OpenAiKey,
            PiiEntityTypes.AnthropicKey => PiiKinds.AnthropicKey,
            PiiEntityTypes.GitHubToken => PiiKinds.GitHubToken,
            PiiEntityTypes.Jwt => PiiKinds.Jwt,
            PiiEntityTypes.PrivateKey => PiiKinds.PrivateKey,
            PiiEntityTypes.Secret => PiiKinds.Secret,
            PiiEntityTypes.SecretsGroup => PiiKinds.Secrets,
            PiiEntityTypes.UkNhs => PiiKinds.UkNhs,
            PiiEntityTypes.AuTfn => PiiKinds.AuTfn,
            PiiEntityTypes.NlBsn or "bsn" => PiiKinds.NlBsn,
            PiiEntityTypes.DeTaxId => PiiKinds.DeTaxId,
            PiiEntityTypes.InAadhaar or "aadhaar" => PiiKinds.InAadhaar,
            PiiEntityTypes.FrInsee => PiiKinds.FrInsee,
            PiiEntityTypes.EsDni => PiiKinds.EsDni,
            PiiEntityTypes.EsNie => PiiKinds.EsNie,
            PiiEntityTypes.UkNino => PiiKinds.UkNino,
            PiiEntityTypes.ItFiscalCode => PiiKinds.ItFiscalCode,
            PiiEntityTypes.Passport => PiiKinds.Passport,
            PiiEntityTypes.NationalIdsGroup => PiiKinds.NationalIds,
            "all" => PiiKinds.All,
            _ => PiiKinds.None,
        };
        return kind != PiiKinds.None;
    }

    internal static string Canonical(string name) => name.Trim().ToLowerInvariant() switch
    {
        "phone_number" => PiiEntityTypes.Phone,
        "ssn" => PiiEntityTypes.UsSsn,
        "ip" => PiiEntityTypes.IpAddress,
        "crypto" => PiiEntityTypes.CryptoWallet,
        "bsn" => PiiEntityTypes.NlBsn,
        "aadhaar" => PiiEntityTypes.InAadhaar,
        var other => other,
    };
}
