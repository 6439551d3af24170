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
        var other => other,
    };
}
