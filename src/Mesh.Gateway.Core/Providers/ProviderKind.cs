namespace Mesh.Gateway.Core.Providers;

/// <summary>The wire schema a provider speaks.</summary>
public enum ProviderKind
{
    OpenAI,
    AzureOpenAI,
    OpenAICompatible,
    Anthropic,
    Gemini,
    Bedrock,
    Mock,
}
