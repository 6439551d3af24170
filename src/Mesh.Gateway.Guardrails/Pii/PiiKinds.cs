namespace Mesh.Gateway.Guardrails.Pii;

[Flags]
internal enum PiiKinds
{
    None = 0,
    Email = 1 << 0,
    CreditCard = 1 << 1,
    Phone = 1 << 2,
    Iban = 1 << 3,
    UsSsn = 1 << 4,
    IpAddress = 1 << 5,
    Url = 1 << 6,
    CryptoWallet = 1 << 7,
    AwsAccessKey = 1 << 8,
    OpenAiKey = 1 << 9,
    AnthropicKey = 1 << 10,
    GitHubToken = 1 << 11,
    Jwt = 1 << 12,
    PrivateKey = 1 << 13,
    Secret = 1 << 14,
    Secrets = AwsAccessKey | OpenAiKey | AnthropicKey | GitHubToken | Jwt | PrivateKey | Secret,
    All = (1 << 15) - 1,
}
