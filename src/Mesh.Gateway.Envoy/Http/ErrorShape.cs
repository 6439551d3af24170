namespace Mesh.Gateway.Envoy.Http;

/// <summary>The JSON error envelope a provider's SDK parses.</summary>
internal enum ErrorShape
{
    OpenAI,
    Anthropic,
    Gemini,
}
