namespace Mesh.Gateway.Providers.Wire;

/// <summary>The wire schema of a request/response body crossing Envoy.</summary>
internal enum ApiSchema
{
    OpenAIChat,
    OpenAIResponses,
    OpenAIEmbeddings,
    AnthropicMessages,
    GeminiGenerate,
    GeminiEmbed,
}
