using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Providers.Sse;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Follows one streamed (SSE) response chunk by chunk: usage and generated text, and, when the response guardrails
/// inspect it, translates the provider's events to the steps and writes what they release back into the events.</summary>
/// <remarks>Pass-through mode (no response guard): every chunk is forwarded unchanged; events are only observed.
/// Rewrite mode: each chunk is replaced by the complete events it finishes, their text deltas replaced by what the steps
/// release; held-back text is released at the end of the text run (finish event, block stop, [DONE], end of stream). A tool
/// call's events are held while the steps hold the call, then go on with its guarded arguments (or are replaced by the
/// schema's content-filter signal when the call is blocked). The decisions are the steps'; this class only translates.
/// Not thread-safe: one instance per ext_proc stream.</remarks>
internal sealed class SseResponseProcessor
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    private readonly IWireCodec _codec;
    private readonly IWireStreamCodec _wire;
    private readonly IResponseStreamGuard? _guard;
    private readonly bool _fastPath;

    // Rewrite mode refuses a property named twice: the splice would replace one copy, and which one a client reads is up
    // to its parser. Pass-through forwards the event as it came and still reads its usage.
    private readonly JsonDocumentOptions _eventOptions;
    private readonly SseReassembler _reassembler = new();
    private readonly List<SseEvent> _events = new(8);
    private readonly StringBuilder _completion = new();
    private readonly StringBuilder _released = new();
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder StringEncoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    // Throws on a lone surrogate, as JsonEncodedText.Encode did (ArgumentException): such text is not written half-replaced.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly ArrayBufferWriter<byte> _lastDeltaEvent = new(512);
    private readonly bool _stripUsageOnly;
    // Text has gone to the guard since the last end of a run.
    private bool _runOpen;
    private string? _lastDeltaName;

    // A tool call's events, held while the steps hold the call, with the original arguments per call (the door's index).
    private readonly List<HeldEvent> _held = [];
    private readonly Dictionary<int, StringBuilder> _heldArguments = [];
    private int _nextWholeCall;

    // The guarded arguments that differ from the provider's, for the events that repeat them later (response.completed).
    private Dictionary<int, string>? _guardedArguments;

    // Where each finished text run ends in _released: the texts that whole-text events repeat (Responses).
    private readonly List<int> _runEnds = [];

    // Set when a blocking finding (moderation) cut the text: the cut is announced once, later text is dropped.
    private bool _stopped;
    private string? _stopFinishReason;
    private bool _stopPending;

    // Set when the cut was a tool call the policy does not allow: the call's own events are dropped.
    private bool _toolCut;

    /// <param name="codec">The wire schema of the provider API the stream comes from.</param>
    /// <param name="guard">The response steps as the reader feeds them; rewrite mode when given.</param>
    /// <param name="fastPath">True (always, outside tests): the codec's one-pass reader of plain text deltas (OpenAI chat's
    /// <see cref="Providers.OpenAI.OpenAIChatChunk"/>) is tried first. False gives the general path alone, the reference the
    /// fast path is tested against.</param>
    /// <param name="stripUsageOnly">True when the gateway asked the stream for usage the caller did not ask for
    /// (<see cref="IWireCodec.RequestStreamUsage"/> forced it): the codec's usage-only event is read and then left out of
    /// what the caller gets.</param>
    public SseResponseProcessor(IWireCodec codec, IResponseStreamGuard? guard, bool fastPath = true, bool stripUsageOnly = false)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _codec = codec;
        _wire = codec.Stream;
        _stripUsageOnly = stripUsageOnly;
        _guard = guard;
        _fastPath = fastPath;
        _eventOptions = new JsonDocumentOptions { AllowDuplicateProperties = _guard is null };
    }

    public UsageAccumulator Usage { get; } = new();

    /// <summary>The generated text seen so far (before redaction), for counting when the provider reports no usage.</summary>
    public string CompletionText => _completion.ToString();

    /// <summary>The length of <see cref="CompletionText"/>, without building it.</summary>
    public int CompletionLength => _completion.Length;

    /// <summary>The generated text from <paramref name="start"/> on (what came since a caller last looked).</summary>
    public string CompletionFrom(int start) => _completion.ToString(start, _completion.Length - start);

    /// <summary>The length of the text the caller has been sent so far: after the response guardrails when they rewrite the
    /// stream (redacted, held-back text not yet released), else <see cref="CompletionLength"/>.</summary>
    public int DeliveredLength => _guard is null ? _completion.Length : _released.Length;

    /// <summary>The delivered text from <paramref name="start"/> on (what the caller was sent since the steps last looked).</summary>
    public string DeliveredFrom(int start)
    {
        var text = _guard is null ? _completion : _released;
        return text.ToString(start, text.Length - start);
    }

    public bool Rewriting => _guard is not null;

    /// <summary>True once a blocking finding (moderation) cut the text.</summary>
    public bool Cut => _stopped;

    /// <summary>True once a streamed tool call the policy does not allow cut the answer (the call was not delivered).</summary>
    public bool ToolCallCut => _toolCut;

    /// <summary>True once the stream's own end was seen (<c>[DONE]</c>, or the schema's final event): a stream that ends
    /// without it was cut upstream.</summary>
    public bool Completed { get; private set; }

    /// <summary>Processes one body chunk; returns the bytes to forward instead of it (valid until the next call), or null to
    /// forward it unchanged.</summary>
    public ReadOnlyMemory<byte>? OnChunk(ReadOnlySpan<byte> chunk, bool endOfStream)
    {
        _events.Clear();
        var carried = _reassembler.Pending;
        _reassembler.Push(chunk, _events);
        if (endOfStream)
        {
            _reassembler.Complete(_events);
        }

        if (_guard is null)
        {
            var stripped = 0;
            for (var i = 0; i < _events.Count; i++)
            {
                var e = _events[i];
                if (_fastPath && _wire.TryReadTextDelta(e.Data.Span, out var text, out _, out _))
                {
                    // A plain text delta: no usage, nothing else to observe.
                    if (text is not null)
                    {
                        _completion.Append(text);
                    }

                    continue;
                }

                if (e.Data.Span.SequenceEqual(Done))
                {
                    Completed = true;
                    continue;
                }

                using var doc = Parse(e);
                if (doc is not null)
                {
                    // An event whose fields cannot be read goes on as it came (nothing is rewritten here); its usage, if
                    // readable, still counts.
                    _ = TryObserve(doc.RootElement, out _);
                    if (_stripUsageOnly && _wire.IsUsageOnly(doc.RootElement))
                    {
                        _events[i] = default;
                        stripped++;
                    }
                }
            }

            // Pass-through forwards each chunk as it came, unless a usage-only event must be left out: then what goes on is the
            // raw bytes of the complete events but that one, and an event split across chunks is held until it is complete.
            if (!_stripUsageOnly || (carried == 0 && _reassembler.Pending == 0 && stripped == 0))
            {
                return null;
            }

            _output.ResetWrittenCount();
            foreach (var e in _events)
            {
                _output.Write(e.Raw.Span);
            }

            return _output.WrittenMemory;
        }

        _output.ResetWrittenCount();
        foreach (var e in _events)
        {
            Rewrite(e, _output);
            if (_stopPending)
            {
                _stopPending = false;
                WriteStop(_output);
            }
        }

        if (endOfStream)
        {
            FlushHeldText(_output, beforeName: null);
        }

        return _output.WrittenMemory;
    }

    // Usage and the text so far; the event's text delta, if any. False when its fields cannot be read: a choice that is not
    // an object, a string with a lone surrogate escape (JsonElement.GetString throws on both); its usage, if readable, has
    // been taken. StreamDelta reads the fields EndsText and RepeatsWholeText read, so once it succeeds they do too.
    private bool TryObserve(JsonElement root, out string? delta)
    {
        Usage.Observe(_codec, root);

        try
        {
            delta = _wire.Delta(root);
        }
        catch (InvalidOperationException)
        {
            delta = null;
            return false;
        }

        if (_wire.EndsStream(root))
        {
            Completed = true;
        }

        if (delta is not null)
        {
            _completion.Append(delta);
        }

        return true;
    }

    private void Rewrite(SseEvent e, ArrayBufferWriter<byte> output)
    {
        if (e.Data.Span.SequenceEqual(Done))
        {
            Completed = true;
            FlushHeldText(output, beforeName: null);
            output.Write(e.Raw.Span);
            return;
        }

        if (_stopped)
        {
            AfterStop(e, output);
            return;
        }

        if (_fastPath && _wire.TryReadTextDelta(e.Data.Span, out var text, out var start, out var end))
        {
            // A plain text delta read in one pass: what the general path below does with it (no usage, no end of text),
            // spliced at the range the reader recorded.
            if (text is null)
            {
                output.Write(e.Raw.Span);
                return;
            }

            _completion.Append(text);
            var releasedText = PushDelta(e, text);
            WriteSpliced(e, start, end, releasedText, output);
            _released.Append(releasedText);
            return;
        }

        using var doc = Parse(e);
        if (doc is null)
        {
            // Data that is not JSON (a keep-alive, a ping) goes on as it came. JSON that cannot be read without ambiguity,
            // invalid or with a property named twice (the splice would replace one copy and a client could read the other),
            // cannot be inspected, so it does not go on at all.
            if (!LooksLikeJson(e))
            {
                output.Write(e.Raw.Span);
            }

            return;
        }

        var root = doc.RootElement;
        if (!TryObserve(root, out var delta))
        {
            // Its text cannot be inspected, so, like invalid JSON, it does not go on.
            return;
        }

        if (_stripUsageOnly && _wire.IsUsageOnly(root))
        {
            // Usage the gateway asked for and the caller did not: read, not forwarded.
            return;
        }

        IReadOnlyList<ChatToolCallDelta> pieces;
        try
        {
            pieces = _wire.ToolCallPieces(root);
        }
        catch (InvalidOperationException)
        {
            // A tool call whose pieces cannot be read cannot be inspected: it does not go on.
            return;
        }

        var ends = _wire.EndsText(root);
        var whole = _wire.RepeatsWholeText(root);
        if (pieces.Count > 0)
        {
            HoldToolCall(e, delta, pieces);
            if (ends && !_stopped)
            {
                // The event that carries the call also ends the text (Gemini's last event): released now, itself included.
                FlushHeldText(output, e.Name);
            }

            return;
        }

        if (_held.Count > 0)
        {
            if (ends || whole)
            {
                // The end of the held call's run: the steps inspect it whole and release it (or cut the answer).
                FlushHeldText(output, e.Name);
                if (_stopped)
                {
                    AfterStop(e, output);
                    return;
                }
            }
            else if (delta is null)
            {
                // The call's other events (its stop, its arguments' done): they go with it.
                Hold(e, e.Data.Span, indices: null);
                return;
            }
        }

        if (delta is null && !ends && !whole)
        {
            output.Write(e.Raw.Span);
            return;
        }

        var released = string.Empty;
        if (delta is not null)
        {
            released = PushDelta(e, delta);
            if (!ends && !whole && TrySplice(e, released, output))
            {
                // The common event, a plain text delta: its string replaced in place, no DOM built.
                _released.Append(released);
                return;
            }
        }

        try
        {
            RewriteAsNode(e, delta, released, ends, whole, output);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A field the DOM cannot read (a lone surrogate deeper in a whole-text event, an odd property name): the event
            // cannot be inspected, so it does not go on. What the guard released with it is dropped with it.
        }
    }

    // The events the splice does not cover: end of a text run, whole texts, multi-line data.
    private void RewriteAsNode(SseEvent e, string? delta, string released, bool ends, bool whole, ArrayBufferWriter<byte> output)
    {
        var node = JsonNode.Parse(e.Data.Span)!;

        if (ends && delta is null && _wire.EndEventsCarryNoDelta)
        {
            // These end events carry no delta field: release held text as a delta event just before them.
            FlushHeldText(output, beforeName: e.Name);
            if (whole || _wire.EndEventsRepeatText)
            {
                MapWhole(node);
            }

            if (_guardedArguments is not null)
            {
                _ = _wire.RewriteToolCallArguments(node, (index, _) => _guardedArguments.GetValueOrDefault(index));
            }

            WriteEvent(output, e.Name, node);
            return;
        }

        var cut = false;
        var endsRun = ends && _runOpen;
        if (endsRun)
        {
            var rest = _guard!.EndRun();
            _runOpen = false;
            released += rest.Text;
            cut = rest.Stopped && Stop(rest.FinishReason);
        }

        if (whole)
        {
            MapWhole(node);
        }

        if (_guardedArguments is not null)
        {
            // An event that repeats a call's arguments (response.completed): the guarded ones.
            _ = _wire.RewriteToolCallArguments(node, (index, _) => _guardedArguments.GetValueOrDefault(index));
        }

        if (delta is not null || released.Length > 0)
        {
            _wire.SetDelta(node, released);
            _released.Append(released);
        }

        if (endsRun)
        {
            _runEnds.Add(_released.Length);
        }

        if (cut)
        {
            // The text was cut at its end: this event finishes it with the cut's reason instead of the provider's.
            _wire.SetFinishReason(node, _stopFinishReason);
        }

        WriteEvent(output, e.Name, node);
    }

    // Feeds a text delta to the stream guard and keeps its event as the shape of a later synthetic one; returns the text released.
    private string PushDelta(SseEvent e, string delta)
    {
        var pushed = _guard!.Push(delta);
        _runOpen = true;
        var released = pushed.Text;
        if (pushed.Stopped)
        {
            _stopPending = Stop(pushed.FinishReason);
        }
        _lastDeltaEvent.ResetWrittenCount();
        _lastDeltaEvent.Write(e.Data.Span);
        _lastDeltaName = e.Name;
        return released;
    }

    // After the cut: usage still counts and goes on; every event that carries text (or, for OpenAI chat, choices) is dropped,
    // so the client sees no text past the cut and no finish reason but the cut's (the codec's KeepsAfterCut).
    private void AfterStop(SseEvent e, ArrayBufferWriter<byte> output)
    {
        using var doc = Parse(e);
        if (doc is null)
        {
            return;
        }

        var root = doc.RootElement;
        if (!TryObserve(root, out var delta))
        {
            return;
        }

        if (_toolCut ? !_wire.KeepsAfterToolCut(root) : StartsToolCallAfterCut(root))
        {
            // The blocked call's events, or a call the model starts after the cut: nothing of it is delivered.
            return;
        }

        var keeps = _wire.KeepsAfterCut(root, delta);
        if ((keeps || _wire.EndsText(root) || _wire.RepeatsWholeText(root)) && TryRewriteAfterCut(e, output))
        {
            return;
        }

        if (keeps)
        {
            output.Write(e.Raw.Span);
        }
    }

    // An event that ends the answer or repeats its text, rewritten by the codec to carry the cut (its content-filter signal,
    // the delivered text only); its SSE event name follows its rewritten type.
    private bool TryRewriteAfterCut(SseEvent e, ArrayBufferWriter<byte> output)
    {
        try
        {
            var node = JsonNode.Parse(e.Data.Span)!;
            if (!_wire.TryRewriteAfterCut(node, _released.ToString(), _stopFinishReason))
            {
                return false;
            }

            var name = e.Name is not null && node["type"] is JsonValue type && type.TryGetValue<string>(out var t) ? t : e.Name;
            WriteEvent(output, name, node);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            // Not rewritable: it goes on or is dropped as the codec says.
            return false;
        }
    }

    private bool StartsToolCallAfterCut(JsonElement root)
    {
        try
        {
            _toolCut = _wire.StartsToolCall(root) is not null;
        }
        catch (InvalidOperationException)
        {
            _toolCut = true;
        }

        return _toolCut;
    }

    // A tool call's event while the steps hold the call: its pieces go to them, its bytes wait here. Text in the same event
    // (Gemini's parts) goes to them too, and the event waits with the text they released in its place.
    private void HoldToolCall(SseEvent e, string? delta, IReadOnlyList<ChatToolCallDelta> pieces)
    {
        int[]? indices = null;
        if (_wire.SendsWholeToolCalls)
        {
            // Each call whole in one event, numbered within it: numbered across the stream here, so calls stay apart.
            indices = new int[pieces.Count];
            var renumbered = new ChatToolCallDelta[pieces.Count];
            for (var i = 0; i < pieces.Count; i++)
            {
                indices[i] = _nextWholeCall++;
                renumbered[i] = pieces[i] with { Index = indices[i] };
            }

            pieces = renumbered;
        }

        foreach (var piece in pieces)
        {
            if (!_heldArguments.TryGetValue(piece.Index, out var arguments))
            {
                _heldArguments[piece.Index] = arguments = new StringBuilder();
            }

            arguments.Append(piece.ArgumentsFragment);
        }

        var data = e.Data.Span;
        var raw = true;
        if (delta is not null)
        {
            var released = PushDelta(e, delta);
            try
            {
                var node = JsonNode.Parse(data)!;
                _wire.SetDelta(node, released);
                data = JsonText.Serialize(node);
                raw = false;
                _released.Append(released);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
            {
                // Its text cannot be written back: the event does not go on (its call still goes to the steps).
                data = default;
                raw = false;
            }
        }

        var pushed = _guard!.PushToolCalls(pieces);
        if (pushed.Stopped && !_stopped)
        {
            _stopPending = Stop(pushed.FinishReason);
        }

        Hold(e, data, indices, raw);
    }

    // The event as it came (Raw) goes on when nothing in it changes; Data is what the rewrite starts from.
    private void Hold(SseEvent e, ReadOnlySpan<byte> data, int[]? indices, bool raw = true) =>
        _held.Add(new HeldEvent(e.Name, data.ToArray(), raw ? e.Raw.ToArray() : null, indices));

    // What the steps released at the end of the held calls' run: the calls, whole and guarded, or nothing (a cut). The held
    // events go on as they came when no argument changed, else with the guarded arguments written back (the whole arguments
    // in a call's first fragment and its done events, the later fragments emptied).
    private void ReleaseToolCalls(StreamGuardOutput released, ArrayBufferWriter<byte> output)
    {
        if (_held.Count == 0)
        {
            return;
        }

        var held = _held.ToArray();
        _held.Clear();
        var originals = _heldArguments.ToDictionary(static p => p.Key, static p => p.Value.ToString());
        _heldArguments.Clear();
        if (released.Stopped || _stopped)
        {
            CutToolCall(held, released.FinishReason, output);
            return;
        }

        Dictionary<int, string>? changed = null;
        foreach (var call in released.ToolCalls ?? [])
        {
            if (call.ArgumentsFragment is { } guarded && originals.TryGetValue(call.Index, out var original) && guarded != original)
            {
                (changed ??= [])[call.Index] = guarded;
            }
        }

        if (changed is null)
        {
            foreach (var e in held)
            {
                if (e.Raw is { } bytes)
                {
                    output.Write(bytes);
                }
                else
                {
                    WriteData(output, e.Name, e.Data);
                }
            }

            return;
        }

        foreach (var (index, arguments) in changed)
        {
            (_guardedArguments ??= [])[index] = arguments;
        }

        var written = new HashSet<int>();
        foreach (var e in held)
        {
            try
            {
                var node = JsonNode.Parse(e.Data)!;
                _ = _wire.RewriteToolCallArguments(node, (index, whole) =>
                {
                    var call = e.Indices is { } map ? (index < map.Length ? map[index] : -1) : index;
                    return !changed.TryGetValue(call, out var arguments) ? null
                        : whole || written.Add(call) ? arguments
                        : string.Empty;
                });
                WriteEvent(output, e.Name, node);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
            {
                // Its arguments cannot be written back: the event does not go on with the originals.
            }
        }
    }

    // A blocked tool call: the answer ends with the schema's content-filter signal (in place of the call's first event where
    // the schema can, else with its end event, see AfterStop), and nothing of the call is delivered.
    private void CutToolCall(HeldEvent[] held, string? finishReason, ArrayBufferWriter<byte> output)
    {
        _toolCut = true;
        _stopPending = false;
        _ = Stop(finishReason ?? _stopFinishReason);
        try
        {
            var node = JsonNode.Parse(held[0].Data)!;
            if (_wire.TryCutToolCall(node, _stopFinishReason))
            {
                WriteEvent(output, held[0].Name, node);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            // Not rewritable: the call's event is dropped, and the cut is signalled by the end event.
        }
    }

    private bool Stop(string? finishReason)
    {
        _stopped = true;
        _stopFinishReason = finishReason ?? "content_filter";
        return true;
    }

    private void FlushStop(ArrayBufferWriter<byte> output)
    {
        if (_stopPending)
        {
            _stopPending = false;
            WriteStop(output);
        }
    }

    // Announces the cut where the schema has a finish event (OpenAI chat): one shaped like the last delta with the policy's
    // finish reason (content_filter by default), as the gRPC door ends a cut stream.
    private void WriteStop(ArrayBufferWriter<byte> output)
    {
        if (!_wire.AnnouncesCut || _lastDeltaEvent.WrittenCount == 0)
        {
            return;
        }

        try
        {
            if (JsonNode.Parse(_lastDeltaEvent.WrittenSpan) is JsonObject finish && _wire.TryMakeCutEvent(finish, _stopFinishReason))
            {
                WriteEvent(output, _lastDeltaName, finish);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException)
        {
            // The last delta's shape cannot be rebuilt: the text still stops, without the finish event.
        }
    }

    // Ends the text run: the text the steps still hold goes out as a synthetic delta event shaped like the last one seen, then
    // the tool calls they held (or the cut).
    private void FlushHeldText(ArrayBufferWriter<byte> output, string? beforeName)
    {
        if (_stopped)
        {
            // Cut: nothing more is released, and nothing held goes on.
            _runOpen = false;
            _held.Clear();
            _heldArguments.Clear();
            return;
        }

        if (!_runOpen && _held.Count == 0)
        {
            return;
        }

        var hadText = _runOpen;
        var completed = _guard!.EndRun();
        _runOpen = false;
        var rest = completed.Text;
        var toolsHeld = _held.Count > 0;
        if (completed.Stopped && !toolsHeld)
        {
            // Cut at the end of the text run: the held text (what precedes the finding) goes out, then the cut is announced.
            _stopPending = Stop(completed.FinishReason);
        }

        if (rest.Length > 0 && _lastDeltaEvent.WrittenCount > 0)
        {
            try
            {
                if (JsonNode.Parse(_lastDeltaEvent.WrittenSpan) is JsonObject synthetic)
                {
                    _wire.PrepareSyntheticDelta(synthetic);
                    _wire.SetDelta(synthetic, rest);
                    WriteEvent(output, _lastDeltaName ?? beforeName, synthetic);
                    _released.Append(rest);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // The last delta event's shape cannot be rebuilt (a property named twice where the fast path does not look, an
                // odd property name): the held text is dropped rather than sent uninspected in a broken event.
            }
        }

        if (hadText)
        {
            _runEnds.Add(_released.Length);
        }

        FlushStop(output);
        if (toolsHeld)
        {
            ReleaseToolCalls(completed, output);
        }
    }

    // The texts an event repeats whole (Responses' done events and response.completed): the texts delivered for the runs they
    // repeat, the last ones in order, so the caller reads what the steps released, never the provider's text.
    private void MapWhole(JsonNode node)
    {
        var count = 0;
        _ = _wire.MapRepeatedTexts(node, text =>
        {
            count++;
            return text;
        });
        var first = _runEnds.Count - count;
        var next = 0;
        _ = _wire.MapRepeatedTexts(node, _ =>
        {
            var run = first + next++;
            if (run < 0)
            {
                // A text no delta streamed: nothing inspected it, so nothing of it goes on.
                return string.Empty;
            }

            var start = run == 0 ? 0 : _runEnds[run - 1];
            return _released.ToString(start, _runEnds[run] - start);
        });
    }

    // Writes the event with the delta string at the schema's path replaced by released; false when it cannot (multi-line
    // data, which raw bytes would break across SSE lines, or a schema whose text is spread over several parts).
    private bool TrySplice(SseEvent e, string released, ArrayBufferWriter<byte> output)
    {
        var path = _wire.DeltaPath;
        var data = e.Data.Span;
        if (path is null || data.Contains((byte)'\n') || !JsonStringLocator.TryLocate(data, path, out var start, out var end))
        {
            return false;
        }

        WriteSpliced(e, start, end, released, output);
        return true;
    }

    // Writes the event with its string token at [start, end) replaced by released.
    private static void WriteSpliced(SseEvent e, int start, int end, string released, ArrayBufferWriter<byte> output)
    {
        var data = e.Data.Span;
        WriteName(output, e.Name);
        output.Write("data: "u8);
        output.Write(data[..start]);
        output.Write("\""u8);
        WriteEscaped(output, released);
        output.Write("\""u8);
        output.Write(data[end..]);
        output.Write("\n\n"u8);
    }

    // The string's JSON escaping (what JsonEncodedText.Encode with the same encoder gives), written straight into the output:
    // no encoded copy or string per event.
    private static void WriteEscaped(ArrayBufferWriter<byte> output, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        byte[]? rented = null;
        var max = StrictUtf8.GetMaxByteCount(text.Length);
        var utf8 = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            ReadOnlySpan<byte> source = utf8[..StrictUtf8.GetBytes(text, utf8)];
            while (true)
            {
                // An escaped byte takes at most 6 (\uXXXX): asked for in full, one pass does it.
                var status = StringEncoder.EncodeUtf8(source, output.GetSpan(source.Length * 6), out var consumed, out var written);
                output.Advance(written);
                if (status == OperationStatus.Done)
                {
                    return;
                }

                if (status != OperationStatus.DestinationTooSmall)
                {
                    throw new ArgumentException("The text is not valid UTF-8.", nameof(text));
                }

                source = source[consumed..];
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void WriteName(ArrayBufferWriter<byte> output, string? name)
    {
        if (name is not null)
        {
            output.Write("event: "u8);
            output.Advance(Encoding.UTF8.GetBytes(name, output.GetSpan(Encoding.UTF8.GetMaxByteCount(name.Length))));
            output.Write("\n"u8);
        }
    }

    private static void WriteEvent(ArrayBufferWriter<byte> output, string? name, JsonNode node)
    {
        // Serialized before anything is written, so a node that cannot be written leaves no half event behind.
        var data = JsonText.Serialize(node);
        WriteName(output, name);
        output.Write("data: "u8);
        output.Write(data);
        output.Write("\n\n"u8);
    }

    // An object, after any JSON whitespace: clients parse "data:  {...}" (two spaces) or a first empty data line as JSON too.
    private static bool LooksLikeJson(SseEvent e) => e.Data.Span.TrimStart(" \t\r\n"u8) is [(byte)'{', ..];

    private JsonDocument? Parse(SseEvent e)
    {
        if (!LooksLikeJson(e))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(e.Data, _eventOptions);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Invalid, or a property name with a lone surrogate (the duplicate check cannot compare it).
            return null;
        }
    }

    private static void WriteData(ArrayBufferWriter<byte> output, string? name, byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        WriteName(output, name);
        output.Write("data: "u8);
        output.Write(data);
        output.Write("\n\n"u8);
    }

    private sealed record HeldEvent(string? Name, byte[] Data, byte[]? Raw, int[]? Indices);
}
