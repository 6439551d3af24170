using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The OpenAI embeddings schema: texts in <c>input</c> (a string or strings), usage as chat's; never streamed.</summary>
internal sealed class OpenAIEmbeddingsCodec : IWireCodec
{
    public static readonly OpenAIEmbeddingsCodec Instance = new();

    private OpenAIEmbeddingsCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.OpenAIEmbeddings;

    public IWireStreamCodec Stream => NoStream.Instance;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit) => RequestTexts.Content(root, "input", visit);

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => OpenAIChatCodec.ReadOpenAIUsage(root, usage);

    public byte[] RenderError(GatewayError error, int httpStatus) => OpenAIErrorBody.Render(error);
}
