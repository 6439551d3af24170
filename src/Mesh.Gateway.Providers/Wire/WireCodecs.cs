using Mesh.Gateway.Providers.Anthropic;
using Mesh.Gateway.Providers.Gemini;
using Mesh.Gateway.Providers.OpenAI;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>The one codec of each wire schema. Static: the codecs are stateless, and no registration is needed to read a schema.</summary>
internal static class WireCodecs
{
    private static readonly IWireCodec[] BySchema =
    [
        OpenAIChatCodec.Instance,
        OpenAIResponsesCodec.Instance,
        OpenAIEmbeddingsCodec.Instance,
        AnthropicMessagesCodec.Instance,
        GeminiGenerateCodec.Instance,
        GeminiEmbedCodec.Instance,
    ];

    /// <summary>The codec of <paramref name="schema"/>.</summary>
    public static IWireCodec For(ApiSchema schema) => BySchema[(int)schema];
}
