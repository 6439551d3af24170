using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The OpenAI Responses schema (<c>/responses</c>).</summary>
/// <remarks>Request texts: <c>instructions</c> and <c>input</c> (a string, or items with string or text-part content). Stream:
/// typed events; <c>response.output_text.delta</c> carries the text, <c>.done</c> and the completed events repeat it whole.</remarks>
internal sealed class OpenAIResponsesCodec : IWireCodec, IWireStreamCodec
{
    public static readonly OpenAIResponsesCodec Instance = new();

    private static readonly JsonStringLocator.Step[] Path = ["delta"];

    private OpenAIResponsesCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.OpenAIResponses;

    public IWireStreamCodec Stream => this;

    public void VisitRequestTexts(JsonNode root, Func<string, string> visit)
    {
        RequestTexts.StringField(root, "instructions", visit);
        if (root["input"] is JsonArray items)
        {
            foreach (var item in items)
            {
                RequestTexts.Content(item, "content", visit);
            }
        }
        else
        {
            RequestTexts.StringField(root, "input", visit);
        }
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage)
    {
        // A whole body has usage; the completed event carries it in response.usage.
        if ((WireJson.Obj(root, "usage") ?? WireJson.Obj(WireJson.Obj(root, "response"), "usage")) is { } r)
        {
            OpenAIChatCodec.ReadUsageObject(r, usage, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details");
        }
    }

    public byte[] RenderError(GatewayError error, int httpStatus) => OpenAIErrorBody.Render(error);

    public JsonStringLocator.Step[]? DeltaPath => Path;

    public bool EndEventsCarryNoDelta => true;

    // output_text.done carries the whole text in "text".
    public bool EndEventsRepeatText => true;

    public string? Delta(JsonElement root) =>
        WireJson.Type(root) == "response.output_text.delta" && root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString() : null;

    public bool EndsText(JsonElement root) => WireJson.Type(root) == "response.output_text.done";

    public bool EndsStream(JsonElement root) => WireJson.Type(root) is "response.completed" or "response.incomplete" or "response.failed";

    public bool RepeatsWholeText(JsonElement root) =>
        WireJson.Type(root) is "response.content_part.done" or "response.output_item.done" or "response.completed" or "response.incomplete";

    public bool SetDelta(JsonNode root, string text)
    {
        if (root["delta"] is JsonValue)
        {
            root["delta"] = text;
            return true;
        }

        return false;
    }
}
