using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>The Gemini embedding schema (<c>:embedContent</c>, <c>:batchEmbedContents</c>): texts in <c>content.parts</c> and
/// <c>requests[].content.parts</c>; never streamed.</summary>
internal sealed class GeminiEmbedCodec : IWireCodec
{
    public static readonly GeminiEmbedCodec Instance = new();

    private GeminiEmbedCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.GeminiEmbed;

    public IWireStreamCodec Stream => NoStream.Instance;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        RequestTexts.Parts(root["content"], visit);
        foreach (var r in RequestTexts.Items(root["requests"]))
        {
            RequestTexts.Parts(r?["content"], visit);
        }
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => GeminiGenerateCodec.ReadGeminiUsage(root, usage);

    public byte[] RenderError(GatewayError error, int httpStatus) => GeminiErrorBody.Render(error, httpStatus);
}
