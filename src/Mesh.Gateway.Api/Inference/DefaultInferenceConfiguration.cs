using System.Globalization;

namespace Mesh.Gateway.Api.Inference;

/// <summary>
/// The configuration used when the sidecar starts without a file: the <c>mock</c> provider (serving model <c>mock</c>), plus every provider
/// whose credentials are in the environment, reachable as <c>provider/model</c> (for example <c>openai/gpt-4o-mini</c>).
/// </summary>
public static class DefaultInferenceConfiguration
{
    /// <summary>Configuration keys (<c>providers:N:...</c>) for the mock provider and the providers found through <paramref name="environment"/>.</summary>
    public static IReadOnlyDictionary<string, string?> FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
        var index = 0;
        void Add(params (string Key, string? Value)[] values)
        {
            foreach (var (key, value) in values)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    keys[string.Create(CultureInfo.InvariantCulture, $"providers:{index}:{key}")] = value;
                }
            }

            index++;
        }

        string? Env(params string[] names) => names.Select(environment).FirstOrDefault(static v => !string.IsNullOrWhiteSpace(v));

        Add(("name", "mock"), ("kind", "mock"));
        if (Env("OPENAI_API_KEY") is { } openai)
        {
            Add(("name", "openai"), ("kind", "openai"), ("api_key", openai), ("base_url", Env("OPENAI_BASE_URL")));
        }

        if (Env("ANTHROPIC_API_KEY") is { } anthropic)
        {
            Add(("name", "anthropic"), ("kind", "anthropic"), ("api_key", anthropic), ("base_url", Env("ANTHROPIC_BASE_URL")));
        }

        if (Env("GEMINI_API_KEY", "GOOGLE_API_KEY") is { } gemini)
        {
            Add(("name", "gemini"), ("kind", "gemini"), ("api_key", gemini));
        }

        if (Env("AZURE_OPENAI_API_KEY") is { } azureKey && Env("AZURE_OPENAI_ENDPOINT") is { } azureEndpoint)
        {
            Add(
                ("name", "azure"),
                ("kind", "azure-openai"),
                ("api_key", azureKey),
                ("base_url", azureEndpoint),
                ("api_version", Env("AZURE_OPENAI_API_VERSION", "OPENAI_API_VERSION") ?? "2024-10-21"));
        }

        if (Env("AWS_ACCESS_KEY_ID") is { } accessKey && Env("AWS_SECRET_ACCESS_KEY") is { } secretKey)
        {
            Add(
                ("name", "bedrock"),
                ("kind", "bedrock"),
                ("access_key_id", accessKey),
                ("secret_access_key", secretKey),
                ("session_token", Env("AWS_SESSION_TOKEN")),
                ("region", Env("AWS_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1"));
        }

        return keys;
    }
}
