using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>What the gateway knows about one provider wire schema: where a request's texts are, where a response's text and
/// usage are, how its stream events end a text run and where their delta can be rewritten, and how its errors look.</summary>
/// <remarks>One stateless, thread-safe instance per schema (<see cref="WireCodecs"/>); both doors and the translators read a
/// schema through it, so no second reading of the schema exists beside it.</remarks>
internal interface IWireCodec
{
    ApiSchema Schema { get; }

    /// <summary>Calls <paramref name="visit"/> for each human-written text of a request body, with what it is (a tool's result
    /// or a message); a different returned string replaces it in the DOM.</summary>
    void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit);

    /// <summary>Calls <paramref name="visit"/> for each human-written text of a request body; a different returned string
    /// replaces it in the DOM.</summary>
    void VisitRequestTexts(JsonNode root, Func<string, string> visit) => VisitRequestTexts(root, (text, _) => visit(text));

    /// <summary>Adds a message the gateway writes itself (a prompt decorator's) to a request body: a system text where the
    /// schema keeps its system prompt (OpenAI chat a <c>system</c> message, Anthropic <c>system</c>, Gemini
    /// <c>systemInstruction</c>, Responses <c>instructions</c>), a user or assistant message at the start or the end of the
    /// conversation. False when the schema or this body has no place for it.</summary>
    bool AddRequestMessage(JsonObject root, RequestTextKind kind, string text, bool append) => false;

    /// <summary>The names of the tools (functions) a request body declares for the model to call.</summary>
    IReadOnlyList<string> RequestToolNames(JsonNode root) => [];

    /// <summary>Guards the tool calls of a whole response body: <paramref name="guard"/> gets each call's name and JSON
    /// arguments and returns the arguments to keep or null to block. A blocked call removes the calls and ends the answer with
    /// the schema's content-filter signal. Returns whether the body changed and whether a call was blocked.</summary>
    (bool Changed, bool Blocked) GuardResponseToolCalls(JsonNode root, Func<string, string, string?> guard) => (false, false);

    /// <summary>Ends a whole response body with the schema's content-filter signal (the gateway's guardrails cut its answer):
    /// OpenAI chat <c>finish_reason</c> <c>content_filter</c>, Anthropic <c>stop_reason</c> <c>refusal</c>, Gemini
    /// <c>finishReason</c> <c>SAFETY</c>, Responses <c>status</c> <c>incomplete</c> with <c>incomplete_details.reason</c>
    /// <c>content_filter</c>, as the schema's streamed cut ends. Schemas without an answer (embeddings) leave the body as it is.</summary>
    void MarkContentFiltered(JsonNode root)
    {
    }

    /// <summary>For a streamed request: whether the caller asked for usage in the stream, and, when the schema reports it
    /// only on request and <paramref name="force"/> is set, asks for it (Forced). Schemas that always report usage: (false, false).</summary>
    (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force);

    /// <summary>Reads the usage figures of a stream event or whole response body into <paramref name="usage"/>.</summary>
    void ReadUsage(JsonElement root, UsageAccumulator usage);

    /// <summary>The stream-event reading and rewriting of the schema.</summary>
    IWireStreamCodec Stream { get; }

    /// <summary>The error body the schema's SDKs parse, for <paramref name="error"/> answered with <paramref name="httpStatus"/>.</summary>
    byte[] RenderError(GatewayError error, int httpStatus);

    /// <summary>A whole response body the schema's SDKs parse, for an answer the gateway gives itself (a pipeline step that
    /// answers the call, a cache say); null when the schema has no such rendering yet.</summary>
    byte[]? RenderResponse(ChatResponse response, string model, DateTimeOffset created) => null;

    /// <summary>The SSE body of a streamed answer the gateway gives itself (its events, then the schema's end); null when the
    /// schema has no such rendering yet.</summary>
    byte[]? RenderStream(IReadOnlyList<ChatChunk> chunks, string model, DateTimeOffset created) => null;

    /// <summary>The body of an embeddings answer the gateway gives itself, in the shape <paramref name="request"/> asked for
    /// (OpenAI's <c>encoding_format</c>, Gemini's single or batch call); null when the schema is not an embeddings schema.</summary>
    byte[]? RenderEmbeddings(Core.Embeddings.EmbeddingResponse response, string model, JsonNode? request) => null;
}
