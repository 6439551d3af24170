using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The call's response steps (<c>ResponseGuardrailsStep</c> and every step around it) fed one provider event at a
/// time: each piece becomes a chunk pushed into the call's <see cref="DoorUpstream"/>, and what the steps release is read back
/// on the same thread (<see cref="InferenceStreamPump"/>), no task or channel per chunk.</summary>
/// <remarks>One per streamed response; not thread-safe (Envoy's messages on one stream come one at a time).</remarks>
internal sealed class StepResponseGuard(DoorUpstream upstream, InferenceStreamPump pump, string? model) : IResponseStreamGuard
{
    private readonly List<InferenceStreamItem> _items = new(4);

    // A delta goes in as a text item (no chunk allocated per event; the steps that read it pass text items on as such).
    public StreamGuardOutput Push(string delta) => Feed(InferenceStreamItem.FromTextDelta(delta));

    public StreamGuardOutput PushToolCalls(IReadOnlyList<ChatToolCallDelta> pieces) => Feed(InferenceStreamItem.FromChunk(new ChatChunk { ToolCallDeltas = pieces, Model = model }));

    public StreamGuardOutput EndRun() => Feed(InferenceStreamItem.FromChunk(new ChatChunk { EndsTextRun = true, Model = model }));

    private StreamGuardOutput Feed(InferenceStreamItem chunk)
    {
        if (pump.Ended)
        {
            // The steps ended the stream (a cut): nothing more is released.
            return new StreamGuardOutput(string.Empty, Stopped: true);
        }

        upstream.Push(chunk);
        _items.Clear();
        pump.ReadAvailable(_items);
        string? text = null;
        List<ChatToolCallDelta>? tools = null;
        var stopped = false;
        string? finishReason = null;
        foreach (var item in _items)
        {
            if (item.IsError)
            {
                continue;
            }

            if (item.IsTextDelta)
            {
                if (item.TextDelta.Length > 0)
                {
                    text = text is null ? item.TextDelta : text + item.TextDelta;
                }

                continue;
            }

            var released = item.Chunk;
            if (released.TextDelta is { Length: > 0 } delta)
            {
                text = text is null ? delta : text + delta;
            }

            if (released.ToolCallDeltas.Count > 0)
            {
                (tools ??= []).AddRange(released.ToolCallDeltas);
            }

            if (released.FinishReason == ChatFinishReason.ContentFilter)
            {
                stopped = true;
                finishReason = released.ProviderFinishReason;
            }
        }

        return new StreamGuardOutput(text ?? string.Empty, stopped || pump.Ended, finishReason, tools);
    }
}
