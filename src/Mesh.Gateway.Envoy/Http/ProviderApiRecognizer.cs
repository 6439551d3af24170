using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>Recognises the provider API from the request path (query ignored).</summary>
/// <remarks>OpenAI: <c>…/chat/completions</c>, <c>…/responses</c>, <c>…/embeddings</c> (any prefix, so OpenAI-compatible
/// bases work); Azure OpenAI: <c>/openai/deployments/{d}/chat/completions|embeddings</c>; Anthropic: <c>…/v1/messages</c>;
/// Gemini: <c>…/models/{m}:generateContent|streamGenerateContent|embedContent|batchEmbedContents</c>.</remarks>
internal static class ProviderApiRecognizer
{
    public static ProviderApi? Recognize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var q = path.IndexOfAny(['?', '#']);
        var p = (q >= 0 ? path[..q] : path).TrimEnd('/');

        const string Deployments = "/openai/deployments/";
        if (p.StartsWith(Deployments, StringComparison.Ordinal))
        {
            var rest = p[Deployments.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                var deployment = Uri.UnescapeDataString(rest[..slash]);
                var op = rest[(slash + 1)..];
                if (op == "chat/completions")
                {
                    return new ProviderApi("azure-openai", "chat", ApiSchema.OpenAIChat, deployment, false);
                }

                if (op == "embeddings")
                {
                    return new ProviderApi("azure-openai", "embeddings", ApiSchema.OpenAIEmbeddings, deployment, false);
                }
            }

            return null;
        }

        var models = p.LastIndexOf("/models/", StringComparison.Ordinal);
        if (models >= 0)
        {
            var tail = p[(models + "/models/".Length)..];
            var colon = tail.LastIndexOf(':');
            if (colon > 0)
            {
                var model = Uri.UnescapeDataString(tail[..colon]);
                return tail[(colon + 1)..] switch
                {
                    "generateContent" => new ProviderApi("gemini", "chat", ApiSchema.GeminiGenerate, model, false),
                    "streamGenerateContent" => new ProviderApi("gemini", "chat", ApiSchema.GeminiGenerate, model, true),
                    "embedContent" or "batchEmbedContents" => new ProviderApi("gemini", "embeddings", ApiSchema.GeminiEmbed, model, false),
                    _ => null,
                };
            }

            return null;
        }

        if (p.EndsWith("/v1/messages", StringComparison.Ordinal))
        {
            return new ProviderApi("anthropic", "chat", ApiSchema.AnthropicMessages, null, false);
        }

        if (p.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return new ProviderApi("openai", "chat", ApiSchema.OpenAIChat, null, false);
        }

        if (p.EndsWith("/responses", StringComparison.Ordinal))
        {
            return new ProviderApi("openai", "responses", ApiSchema.OpenAIResponses, null, false);
        }

        if (p.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            return new ProviderApi("openai", "embeddings", ApiSchema.OpenAIEmbeddings, null, false);
        }

        return null;
    }
}
