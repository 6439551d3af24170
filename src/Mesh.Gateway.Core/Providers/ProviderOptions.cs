using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Providers;

/// <summary>One entry of the YAML <c>providers:</c> list.</summary>
public sealed class ProviderOptions
{
    /// <summary>The name routes refer to.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>openai | azure-openai | openai-compatible | anthropic | gemini | bedrock | mock.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>The API root (for example https://api.openai.com/v1); each kind has a default except azure-openai and openai-compatible.</summary>
    [ConfigurationKeyName("base_url")]
    public string? BaseUrl { get; set; }

    /// <summary>openai and azure-openai: <c>chat</c> (chat completions, default) or <c>responses</c> (the Responses API).</summary>
    public string? Api { get; set; }

    [ConfigurationKeyName("api_key")]
    public string? ApiKey { get; set; }

    /// <summary>Azure OpenAI api-version query parameter.</summary>
    [ConfigurationKeyName("api_version")]
    public string? ApiVersion { get; set; }

    /// <summary>Azure OpenAI deployment; when unset the target's model is used as the deployment name.</summary>
    public string? Deployment { get; set; }

    /// <summary>Azure OpenAI: <c>api-key</c> (the api-key header, default) or <c>bearer</c> (Authorization: Bearer, for Entra ID tokens).</summary>
    [ConfigurationKeyName("auth_mode")]
    public string? AuthMode { get; set; }

    /// <summary>Bedrock: AWS region (us-east-1, ...).</summary>
    public string? Region { get; set; }

    [ConfigurationKeyName("access_key_id")]
    public string? AccessKeyId { get; set; }

    [ConfigurationKeyName("secret_access_key")]
    public string? SecretAccessKey { get; set; }

    [ConfigurationKeyName("session_token")]
    public string? SessionToken { get; set; }

    /// <summary>Anthropic: the anthropic-version header (default 2023-06-01).</summary>
    [ConfigurationKeyName("anthropic_version")]
    public string? AnthropicVersion { get; set; }

    /// <summary>Mock: delay before each streamed token, in milliseconds.</summary>
    [ConfigurationKeyName("delay_per_token_ms")]
    public int DelayPerTokenMs { get; set; }

    /// <summary>Limit on establishing the TCP/TLS connection, in milliseconds.</summary>
    [ConfigurationKeyName("connect_timeout_ms")]
    public int ConnectTimeoutMs { get; set; } = 10_000;

    /// <summary>Upper bound on one whole upstream call, in milliseconds (routing applies its own first-token and total timeouts inside it).</summary>
    [ConfigurationKeyName("request_timeout_ms")]
    public int RequestTimeoutMs { get; set; } = 600_000;

    /// <summary>Extra headers sent with every request (OpenRouter's HTTP-Referer, ...).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];
}
