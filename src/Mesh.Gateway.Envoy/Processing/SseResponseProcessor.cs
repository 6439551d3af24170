using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Providers.Sse;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Follows one streamed (SSE) response chunk by chunk: usage and generated text, and, when response guardrails are on,
/// rewrites the events so redactions apply across chunk boundaries without breaking the stream.</summary>
/// <remarks>Pass-through mode (no response guard): every chunk is forwarded unchanged; events are only observed.
/// Rewrite mode: each chunk is replaced by the complete events it finishes, their text deltas replaced by what the streaming
/// redactor releases; held-back text is released at the end of the text run (finish event, block stop, [DONE], end of stream).
/// Not thread-safe: one instance per ext_proc stream.</remarks>
internal sealed class SseResponseProcessor
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    private readonly IWireCodec _codec;
    private readonly IWireStreamCodec _wire;
    private readonly IEnvoyGuard? _guard;
    private readonly bool _fastPath;

    // Rewrite mode refuses a property named twice: the splice would replace one copy, and which one a client reads is up
    // to its parser. Pass-through forwards the event as it came and still reads its usage.
    private readonly JsonDocumentOptions _eventOptions;
    private readonly SseReassembler _reassembler = new();
    private readonly List<SseEvent> _events = new(8);
    private readonly StringBuilder _completion = new();
    private readonly StringBuilder _released = new();
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder StringEncoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly ArrayBufferWriter<byte> _lastDeltaEvent = new(512);
    private readonly bool _stripUsageOnly;
    private IEnvoyStreamGuard? _stream;
    private string? _lastDeltaName;

    // Set when a blocking finding (moderation) cut the text: the cut is announced once, later text is dropped.
    private bool _stopped;
    private string? _stopFinishReason;
    private bool _stopPending;

    // Set when the cut was a tool call the policy does not allow: the call's own events are dropped.
    private bool _toolCut;

    /// <param name="codec">The wire schema of the provider API the stream comes from.</param>
    /// <param name="guard">The guard; rewrite mode when it inspects responses.</param>
    /// <param name="fastPath">True (always, outside tests): the codec's one-pass reader of plain text deltas (OpenAI chat's
    /// <see cref="Providers.OpenAI.OpenAIChatChunk"/>) is tried first. False gives the general path alone, the reference the
    /// fast path is tested against.</param>
    /// <param name="stripUsageOnly">True when the gateway asked the stream for usage the caller did not ask for
    /// (<see cref="IWireCodec.RequestStreamUsage"/> forced it): the codec's usage-only event is read and then left out of
    /// what the caller gets.</param>
    public SseResponseProcessor(IWireCodec codec, IEnvoyGuard? guard, bool fastPath = true, bool stripUsageOnly = false)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _codec = codec;
        _wire = codec.Stream;
        _stripUsageOnly = stripUsageOnly;
        _guard = guard is { InspectsResponses: true } ? guard : null;
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

        if (BlocksToolCall(root))
        {
            CutToolCall(e, output);
            return;
        }

        var ends = _wire.EndsText(root);
        var whole = _wire.RepeatsWholeText(root);
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

            WriteEvent(output, e.Name, node);
            return;
        }

        var cut = false;
        if (ends && _stream is not null)
        {
            var rest = _stream.Complete();
            released += rest.Text;
            _stream = null;
            cut = rest.Stopped && Stop(rest.FinishReason);
        }

        if (whole)
        {
            MapWhole(node);
        }

        if (delta is not null || released.Length > 0)
        {
            _wire.SetDelta(node, released);
            _released.Append(released);
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
        _stream ??= _guard!.CreateResponseStream();
        var pushed = _stream.Push(delta);
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

    // The first event of a tool call the policy does not allow (judged by the tool's name; the arguments of an allowed call go
    // on as they stream). An event whose name cannot be read is not delivered either.
    private bool BlocksToolCall(JsonElement root)
    {
        try
        {
            return _wire.StartsToolCall(root) is { } name && !_guard!.AllowsTool(name);
        }
        catch (InvalidOperationException)
        {
            return true;
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

    // A blocked tool call: the text held back before it goes out, then the answer ends with the schema's content-filter signal
    // (in place of the call's first event where the schema can, else with its end event), and nothing of the call is delivered.
    private void CutToolCall(SseEvent e, ArrayBufferWriter<byte> output)
    {
        FlushHeldText(output, beforeName: e.Name);
        _toolCut = true;
        if (_stopped)
        {
            // The held text was itself cut, and that cut announced.
            return;
        }

        _ = Stop(null);
        try
        {
            var node = JsonNode.Parse(e.Data.Span)!;
            if (_wire.TryCutToolCall(node, _stopFinishReason))
            {
                WriteEvent(output, e.Name, node);
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

    private void MapWhole(JsonNode node) => ResponseTexts.MapAllText(node, text => _guard!.InspectResponse(text).Text);

    // Releases text the stream guard still holds as a synthetic delta event shaped like the last one seen.
    private void FlushHeldText(ArrayBufferWriter<byte> output, string? beforeName)
    {
        if (_stream is null)
        {
            return;
        }

        var completed = _stream.Complete();
        var rest = completed.Text;
        _stream = null;
        if (completed.Stopped)
        {
            // Cut at the end of the text run: the held text (what precedes the finding) goes out, then the cut is announced.
            _stopPending = Stop(completed.FinishReason);
        }

        if (rest.Length == 0 || _lastDeltaEvent.WrittenCount == 0)
        {
            FlushStop(output);
            return;
        }

        try
        {
            if (JsonNode.Parse(_lastDeltaEvent.WrittenSpan) is not JsonObject synthetic)
            {
                return;
            }

            _wire.PrepareSyntheticDelta(synthetic);
            _wire.SetDelta(synthetic, rest);
            WriteEvent(output, _lastDeltaName ?? beforeName, synthetic);
            _released.Append(rest);
            FlushStop(output);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The last delta event's shape cannot be rebuilt (a property named twice where the fast path does not look, an
            // odd property name): the held text is dropped rather than sent uninspected in a broken event.
        }
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
        output.Write(JsonEncodedText.Encode(released, StringEncoder).EncodedUtf8Bytes);
        output.Write("\""u8);
        output.Write(data[end..]);
        output.Write("\n\n"u8);
    }

    private static void WriteName(ArrayBufferWriter<byte> output, string? name)
    {
        if (name is not null)
        {
            output.Write("event: "u8);
            output.Write(Encoding.UTF8.GetBytes(name));
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
}
