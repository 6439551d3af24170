using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Providers.Registry;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Upstream;

/// <summary>
/// Turns a route decision into the <see cref="UpstreamRewrite"/> of a request already in a provider's wire schema. A proxy
/// forwards the app's body, so a target can only be reached when its provider speaks the same schema: OpenAI chat and
/// embeddings go to OpenAI, OpenAI-compatible or Azure OpenAI; responses to OpenAI or OpenAI-compatible; Anthropic messages
/// to Anthropic; Gemini to Gemini. Bedrock (SigV4 signs the final body) and the in-process mock cannot be reached this way.
/// </summary>
internal static class UpstreamRewriter
{
    private static readonly string[] CredentialHeaders = ["authorization", "api-key", "x-api-key", "x-goog-api-key"];

    /// <summary>Whether a request of <paramref name="schema"/> can be sent to a provider of <paramref name="kind"/> unchanged but for the rewrite.</summary>
    public static bool CanReach(ApiSchema schema, ProviderKind kind, string? api) => schema switch
    {
        ApiSchema.OpenAIChat or ApiSchema.OpenAIEmbeddings => kind is ProviderKind.OpenAI or ProviderKind.OpenAICompatible or ProviderKind.AzureOpenAI && api != "responses",
        ApiSchema.OpenAIResponses => kind is ProviderKind.OpenAI or ProviderKind.OpenAICompatible,
        ApiSchema.AnthropicMessages => kind == ProviderKind.Anthropic,
        ApiSchema.GeminiGenerate or ApiSchema.GeminiEmbed => kind == ProviderKind.Gemini,
        _ => false,
    };

    /// <summary>
    /// The rewrite that sends a request of <paramref name="schema"/> (its original path <paramref name="path"/>, query kept where
    /// the schema uses it) to <paramref name="target"/> of <paramref name="provider"/>; null with <paramref name="why"/> when the
    /// provider cannot take the schema.
    /// </summary>
    public static UpstreamRewrite? For(ApiSchema schema, string path, RouteTarget target, ProviderOptions provider, out string? why)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(provider);
        if (!ProviderKinds.TryParse(provider.Kind, out var kind) || !CanReach(schema, kind, provider.Api))
        {
            why = $"provider '{provider.Name}' ({provider.Kind}) does not take {schema} requests as they are";
            return null;
        }

        var baseUri = new Uri(kind switch
        {
            ProviderKind.OpenAI => provider.BaseUrl ?? ProviderFactory.OpenAIBaseUrl,
            ProviderKind.Anthropic => provider.BaseUrl ?? ProviderFactory.AnthropicBaseUrl,
            ProviderKind.Gemini => provider.BaseUrl ?? ProviderFactory.GeminiBaseUrl,
            _ => provider.BaseUrl!,
        });
        var basePath = baseUri.AbsolutePath.TrimEnd('/');
        var query = QueryOf(path);
        var model = target.Model;
        string newPath;
        string? bodyModel = model;
        switch (kind)
        {
            case ProviderKind.AzureOpenAI:
                var deployment = Uri.EscapeDataString(provider.Deployment ?? model);
                newPath = $"{basePath}/openai/deployments/{deployment}/{(schema == ApiSchema.OpenAIEmbeddings ? "embeddings" : "chat/completions")}?api-version={Uri.EscapeDataString(provider.ApiVersion ?? string.Empty)}";
                break;
            case ProviderKind.Gemini:
                bodyModel = null;
                newPath = $"{basePath}/models/{Uri.EscapeDataString(model)}:{GeminiMethod(path)}{query}";
                break;
            case ProviderKind.Anthropic:
                newPath = $"{basePath}/messages";
                break;
            default:
                newPath = basePath + schema switch
                {
                    ApiSchema.OpenAIResponses => "/responses",
                    ApiSchema.OpenAIEmbeddings => "/embeddings",
                    _ => "/chat/completions",
                };
                break;
        }

        var host = baseUri.IsDefaultPort ? baseUri.Host : $"{baseUri.Host}:{baseUri.Port}";
        var set = new List<KeyValuePair<string, string>>
        {
            new(UpstreamRewrite.ClusterHeader, provider.Name),
            new(UpstreamRewrite.HostHeader, host),
        };
        var credential = Credential(kind, provider);
        if (credential is { } key)
        {
            set.Add(key);
        }

        if (kind == ProviderKind.Anthropic && provider.AnthropicVersion is { Length: > 0 } version)
        {
            set.Add(new("anthropic-version", version));
        }

        foreach (var (name, value) in provider.Headers)
        {
            set.Add(new(name.ToLowerInvariant(), value));
        }

        // With no key of its own configured, the target is called with the app's key (same schema, same header).
        List<string> remove = credential is null ? [] : [.. CredentialHeaders.Where(h => !set.Any(s => s.Key == h))];
        why = null;
        return new UpstreamRewrite(provider.Name, host, newPath, bodyModel, set, remove);
    }

    private static KeyValuePair<string, string>? Credential(ProviderKind kind, ProviderOptions provider)
    {
        if (string.IsNullOrEmpty(provider.ApiKey))
        {
            return null;
        }

        return kind switch
        {
            ProviderKind.AzureOpenAI when provider.AuthMode != "bearer" => new("api-key", provider.ApiKey),
            ProviderKind.Anthropic => new("x-api-key", provider.ApiKey),
            ProviderKind.Gemini => new("x-goog-api-key", provider.ApiKey),
            _ => new("authorization", "Bearer " + provider.ApiKey),
        };
    }

    private static string QueryOf(string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return q >= 0 ? path[q..] : string.Empty;
    }

    /// <summary>The Gemini method of the original path (generateContent, streamGenerateContent, embedContent, ...).</summary>
    private static string GeminiMethod(string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        var p = q >= 0 ? path[..q] : path;
        var colon = p.LastIndexOf(':');
        return colon >= 0 ? p[(colon + 1)..] : "generateContent";
    }
}
