using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>A schema's streamed events: where the text delta is, which events end a text run or the stream, and how the
/// events the gateway writes itself (released held text, a cut) are shaped.</summary>
/// <remarks>The default members are the answers of a schema without the feature (no fast reader, no usage-only event, no
/// finish reason in its delta events); a codec overrides what its schema has.</remarks>
internal interface IWireStreamCodec
{
    /// <summary>The path of the delta string in a plain text-delta event, for splicing in place; null when the text may be
    /// spread over several parts.</summary>
    JsonStringLocator.Step[]? DeltaPath => null;

    /// <summary>True when the end events of a text run carry no delta field: held text is released as a delta event just
    /// before them.</summary>
    bool EndEventsCarryNoDelta => false;

    /// <summary>True when every end event of a text run repeats the text and is inspected as a whole text.</summary>
    bool EndEventsRepeatText => false;

    /// <summary>True when the gateway announces a moderation cut with a finish event of its own.</summary>
    bool AnnouncesCut => false;

    /// <summary>Reads the common plain text-delta event in one pass: its text (null when none) and the byte range of its string
    /// token. False sends the event down the general path. Only schemas with a fast reader return true.</summary>
    bool TryReadTextDelta(ReadOnlySpan<byte> data, out string? text, out int start, out int end)
    {
        text = null;
        start = end = 0;
        return false;
    }

    /// <summary>The text delta of one stream event, or null when it carries none.</summary>
    /// <exception cref="InvalidOperationException">A field cannot be read (not the expected kind, a lone surrogate).</exception>
    string? Delta(JsonElement root);

    /// <summary>True when the event closes a text run, so held-back text must be released into or before it.</summary>
    bool EndsText(JsonElement root);

    /// <summary>The schema's own end of a stream: its last event, or the event that finishes the answer.</summary>
    bool EndsStream(JsonElement root);

    /// <summary>True for events that repeat the whole text (done/completed); they are inspected as whole texts.</summary>
    bool RepeatsWholeText(JsonElement root) => false;

    /// <summary>Calls <paramref name="map"/> for each answer text an event repeats whole (<see cref="RepeatsWholeText"/>, or an
    /// end event when <see cref="EndEventsRepeatText"/>), in order, and writes back what it returns. False when it has none.</summary>
    bool MapRepeatedTexts(JsonNode root, Func<string, string> map) => false;

    /// <summary>True for an event that carries only usage the gateway asked for on the caller's behalf.</summary>
    bool IsUsageOnly(JsonElement root) => false;

    /// <summary>After a cut: true when the event still goes on (it carries no text).</summary>
    bool KeepsAfterCut(JsonElement root, string? delta) => delta is null && !RepeatsWholeText(root);

    /// <summary>Puts <paramref name="text"/> where the event's delta was (or would be).</summary>
    bool SetDelta(JsonNode root, string text);

    /// <summary>Sets the event's finish reason, where the schema has one in its delta events (the cut ends the text there).</summary>
    void SetFinishReason(JsonNode root, string? reason)
    {
    }

    /// <summary>Shapes a copy of the last delta event into a delta the gateway writes itself (no finish, no usage).</summary>
    void PrepareSyntheticDelta(JsonObject copy)
    {
    }

    /// <summary>Shapes a copy of the last delta event into the event announcing a cut; false when it cannot.</summary>
    bool TryMakeCutEvent(JsonObject copy, string? finishReason) => false;

    /// <summary>After a cut: rewrites an event that ends the answer or repeats its text so that it carries the cut: the
    /// schema's content-filter signal where it ends the answer (<paramref name="finishReason"/> is the policy's word,
    /// <c>content_filter</c> by default), only <paramref name="delivered"/> where it repeats the text. False: the event goes
    /// on unchanged or is dropped, as <see cref="KeepsAfterCut"/> says.</summary>
    bool TryRewriteAfterCut(JsonNode root, string delivered, string? finishReason) => false;

    /// <summary>The pieces of the model's streamed tool calls the event carries, in order: each with its call's index, the
    /// call's id and name on its first piece, and a fragment of its JSON arguments (OpenAI chat
    /// <c>delta.tool_calls[].function.arguments</c>, Anthropic <c>input_json_delta.partial_json</c>, Responses
    /// <c>response.function_call_arguments.delta</c>, Gemini's whole <c>functionCall.args</c>). Empty when it carries none.</summary>
    /// <remarks>The index is the schema's own: stable across a call's events, except where each call comes whole in one event
    /// (<see cref="SendsWholeToolCalls"/>), where it is the call's place in its event.</remarks>
    /// <exception cref="InvalidOperationException">A field cannot be read.</exception>
    IReadOnlyList<ChatToolCallDelta> ToolCallPieces(JsonElement root) => [];

    /// <summary>True when each tool call comes whole in one event (Gemini): the reader numbers a stream's calls itself.</summary>
    bool SendsWholeToolCalls => false;

    /// <summary>Writes guarded arguments into an event of a streamed tool call: for each arguments field of a call, asks
    /// <paramref name="arguments"/> with the call's index (as <see cref="ToolCallPieces"/> gives it, or its place in a
    /// whole-answer event) and whether the field holds the whole arguments (a done event, Gemini's <c>args</c>) or a fragment,
    /// and writes the string it returns (null leaves the field). False when the event has no such field.</summary>
    bool RewriteToolCallArguments(JsonNode root, Func<int, bool, string?> arguments) => false;

    /// <summary>The name of the tool the event starts a call of (the first event of a streamed tool call), or null.</summary>
    /// <exception cref="InvalidOperationException">A field cannot be read.</exception>
    string? StartsToolCall(JsonElement root) => null;

    /// <summary>Rewrites the event that starts a blocked tool call into what the caller gets in its place: the call removed and
    /// the answer ended with the schema's content-filter signal, where the event can carry it (OpenAI chat, Gemini). False:
    /// the event is dropped (the signal comes with a later event, <see cref="TryRewriteAfterCut"/>).</summary>
    bool TryCutToolCall(JsonNode root, string? finishReason) => false;

    /// <summary>After a blocked tool call: false for an event that belongs to the call (its arguments, its end), which is dropped;
    /// true sends the event down the ordinary after-cut path (<see cref="KeepsAfterCut"/>, <see cref="TryRewriteAfterCut"/>).</summary>
    bool KeepsAfterToolCut(JsonElement root) => true;
}
