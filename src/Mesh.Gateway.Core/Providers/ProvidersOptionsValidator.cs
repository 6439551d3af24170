using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Providers;

/// <summary>Checks the <c>providers:</c> section; each error names the key path and what is wrong.</summary>
public sealed class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options) => MeshOptions.Result(Validate(options));

    public static IReadOnlyList<string> Validate(ProvidersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var p = options.Providers[i];
            var at = $"providers[{i}]";
            if (string.IsNullOrWhiteSpace(p.Name))
            {
                errors.Add($"{at}.name: is required");
            }
            else if (!seen.Add(p.Name))
            {
                errors.Add($"{at}.name: duplicate provider name '{p.Name}'");
            }

            if (!ProviderKinds.TryParse(p.Kind, out var kind))
            {
                errors.Add($"{at}.kind: must be one of {string.Join(", ", ProviderKinds.All)} (was '{p.Kind}')");
                continue;
            }

            if (p.BaseUrl is not null && !IsHttpUrl(p.BaseUrl))
            {
                errors.Add($"{at}.base_url: must be an absolute http or https URL (was '{p.BaseUrl}')");
            }

            if (p.Api is not null && (p.Api is not ("chat" or "responses") || kind is not (ProviderKind.OpenAI or ProviderKind.AzureOpenAI or ProviderKind.OpenAICompatible)))
            {
                errors.Add($"{at}.api: must be chat or responses, and only for openai, azure-openai or openai-compatible (was '{p.Api}')");
            }

            if (p.ConnectTimeoutMs <= 0)
            {
                errors.Add($"{at}.connect_timeout_ms: must be positive (was {p.ConnectTimeoutMs})");
            }

            if (p.RequestTimeoutMs <= 0)
            {
                errors.Add($"{at}.request_timeout_ms: must be positive (was {p.RequestTimeoutMs})");
            }

            switch (kind)
            {
                case ProviderKind.AzureOpenAI:
                    if (string.IsNullOrWhiteSpace(p.BaseUrl))
                    {
                        errors.Add($"{at}.base_url: is required for kind azure-openai (https://<resource>.openai.azure.com)");
                    }

                    if (string.IsNullOrWhiteSpace(p.ApiVersion))
                    {
                        errors.Add($"{at}.api_version: is required for kind azure-openai (for example 2024-10-21)");
                    }

                    if (p.AuthMode is not null && p.AuthMode is not ("api-key" or "bearer"))
                    {
                        errors.Add($"{at}.auth_mode: must be api-key or bearer (was '{p.AuthMode}')");
                    }

                    RequireKey(p, at, errors);
                    break;
                case ProviderKind.OpenAICompatible:
                    if (string.IsNullOrWhiteSpace(p.BaseUrl))
                    {
                        errors.Add($"{at}.base_url: is required for kind openai-compatible");
                    }

                    break;
                case ProviderKind.OpenAI or ProviderKind.Anthropic or ProviderKind.Gemini:
                    RequireKey(p, at, errors);
                    break;
                case ProviderKind.Bedrock:
                    if (string.IsNullOrWhiteSpace(p.Region))
                    {
                        errors.Add($"{at}.region: is required for kind bedrock");
                    }

                    if (string.IsNullOrWhiteSpace(p.AccessKeyId))
                    {
                        errors.Add($"{at}.access_key_id: is required for kind bedrock");
                    }

                    if (string.IsNullOrWhiteSpace(p.SecretAccessKey))
                    {
                        errors.Add($"{at}.secret_access_key: is required for kind bedrock");
                    }

                    break;
                case ProviderKind.Mock:
                    if (p.DelayPerTokenMs < 0)
                    {
                        errors.Add($"{at}.delay_per_token_ms: must not be negative (was {p.DelayPerTokenMs})");
                    }

                    break;
            }
        }

        return errors;
    }

    private static void RequireKey(ProviderOptions p, string at, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(p.ApiKey))
        {
            errors.Add($"{at}.api_key: is required for kind {p.Kind}");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
