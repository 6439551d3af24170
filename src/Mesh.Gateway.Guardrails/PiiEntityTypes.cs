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

    /// <summary>The configuration alias that names every secret type.</summary>
    public const string SecretsGroup = "secrets";

    /// <summary>Every secret type.</summary>
    public static IReadOnlyList<string> Secrets { get; } =
        [AwsAccessKey, OpenAiKey, AnthropicKey, GitHubToken, Jwt, PrivateKey, Secret];

    /// <summary>Every entity type, in detection priority order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Email, CreditCard, Phone, Iban, UsSsn, IpAddress, Url, CryptoWallet, AwsAccessKey, OpenAiKey, AnthropicKey, GitHubToken, Jwt, PrivateKey, Secret];
}
