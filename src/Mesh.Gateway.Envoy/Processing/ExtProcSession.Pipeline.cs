using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Service.ExtProc.V3;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Guardrails.Pipeline;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Envoy.Processing;

// The Core pipeline on this door: the call's context built from the request body, the steps run to the door's upstream (or
// answering themselves), the request they pass on written back into the body, and the response phases fed to them.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "EndAsync disposes the pump; ExtProcService calls it however a stream ends.")]
internal sealed partial class ExtProcSession
{
    private IReadOnlyDictionary<string, string>? _requestHeaders;
    private InferenceContext? _context;
    private DoorUpstream? _upstream;
    private ValueTask<InferenceResult> _run;
    private bool _runPending;
    private InferenceStreamPump? _pump;
    private List<InferenceStreamItem>? _released;
    private int _fed;
    private bool _pipelineDone;
    private bool _feedEnded;

    /// <summary>Runs the steps' request half. Returns a step's own result when one answered the call itself (a refusal, a
    /// cache hit; the door renders it), else null: the steps passed the call on, and the body to send is set when they
    /// changed the request's texts.</summary>
    private async ValueTask<InferenceResult?> RunPipelineAsync(RequestBodyResult body, string model, CancellationToken cancellationToken)
    {
        // The call began with its request headers: its duration, span and ledger latency count from there.
        var context = _api!.Operation == "embeddings"
            ? InferenceContext.ForEmbeddings(new EmbeddingRequest { Model = model, Inputs = body.Texts }, _started)
            : InferenceContext.ForChat(
                new ChatRequest
                {
                    Model = model,
                    Messages = _doorMessages = DoorMessages(body),
                    Tools = [.. body.ToolNames.Select(static name => new ChatToolDefinition { Name = name })],
                    MaxOutputTokens = body.MaxOutputTokens,
                    Temperature = Temperature(body.Root),
                },
                body.Streaming,
                _started);
        context.Source = InferenceSource.Envoy;

        // Envoy forwards the provider's whole response whatever the steps cut: the usage it reports after a cut still comes.
        context.Properties.Set(InferencePropertyKeys.UsageAfterCut, true);
        if (_requestHeaders is { } headers)
        {
            // The app's trace context (the ext_proc stream's own is the proxy's), and the time Envoy took to send the body.
            EnvoyCallContext.WithTraceParent(context, headers);
        }

        if (_peerWait > 0)
        {
            context.Properties.Set(InferencePropertyKeys.PeerWaitTicks, _peerWait);
        }

        // The context has only the texts: a cache keys this call by the request as it goes upstream, i.e. the body's other
        // fields and the messages the cache passes (the call's, as the steps before it left them: redacted, tokenized,
        // decorated). Taken only if a cache asks. Not copied: the buffered body is not written again once whole.
        var schema = _api.Schema.ToString();
        ReadOnlyMemory<byte> bytes = body.NewBody ?? _requestBody?.WrittenMemory ?? default;
        var codec = _api.Codec;
        var root = body.Root;
        context.Properties.Set(Mesh.Gateway.Core.Caching.RequestFingerprint.Key, request => Fingerprint(schema, model, bytes, codec, root, request));
        context.Identity = _identity;
        context.Headers = _requestHeaders ?? context.Headers;

        // The limits step admits, settles and records the call: what only the door knows goes with it (operation, the HTTP
        // status once known, what Check charged), and the target the request goes to (Envoy forwards it, routed or not).
        context.Properties.Set(LimitsPropertyKeys.DoorFields, _ledger);
        context.ServedTarget = new ServedTarget(_route?.Target.Provider ?? _api.Provider, KindOf(_route?.Target.Provider ?? _api.Provider), _route?.Target.Model ?? model, _route?.IsFallback ?? false);
        if (_route is { } route)
        {
            context.Properties.Set(Mesh.Gateway.Core.Routing.RoutingPropertyKeys.Decision, route.Decision);
        }

        _context = context;
        var upstream = new DoorUpstream();
        upstream.Attach(context);
#pragma warning disable CA2012 // Its completion is looked at, then it is consumed once: awaited, or turned into a task below.
        var run = _deps.Pipeline.Pipeline.ExecuteAsync(context, cancellationToken);
#pragma warning restore CA2012
        if (!upstream.IsReached && !run.IsCompleted)
        {
            // A step before the terminal is truly asynchronous (a cache lookup in Redis): neither passed on nor answered yet.
            // Wait for whichever comes first; awaiting the run alone would wait for an answer only Envoy's response phases
            // bring, which come after this message is answered (a hang).
            var task = run.AsTask();
            await Task.WhenAny(task, upstream.WhenReached).ConfigureAwait(false);
            run = new ValueTask<InferenceResult>(task);
        }

        if (!upstream.IsReached)
        {
            // A step answered (a cache hit, a refusal) without passing the call on; a hit was admitted first.
            var answer = await run.ConfigureAwait(false);
            _admitted = context.Properties.TryGetValue(LimitsPropertyKeys.Lease, out _);
            return answer;
        }

        _upstream = upstream;
        _admitted = context.Properties.TryGetValue(LimitsPropertyKeys.Lease, out _);

        // Envoy forwards the request once this message is answered: the call has reached its upstream (what was sent is
        // charged if no usage comes back).
        context.Attempts = 1;
        if (context.IsStreaming)
        {
            var result = await run.ConfigureAwait(false);
            // A stream no step wraps (the steps only saw the request) is not fed: nothing reads it.
            if (result.Stream is { } stream && !ReferenceEquals(stream, upstream))
            {
                _pump = new InferenceStreamPump(stream);
                _released = new List<InferenceStreamItem>(4);
            }
            else
            {
                _pipelineDone = true;
            }
        }
        else
        {
            // Completes when the response has arrived (CompletePipelineAsync).
            (_run, _runPending) = (run, true);
        }

        _rewrittenBody = WriteBack(body, upstream.Request!);
        return null;
    }

    private byte[]? _rewrittenBody;
    private ChatMessage[]? _doorMessages;

    // A step's own answer rendered, with the cache's header when it was a hit.
    private async ValueTask<ProcessingResponse> AnswerWithStepAsync(InferenceResult result, string model, CancellationToken cancellationToken)
    {
        var answered = await AnswerItselfAsync(result, model, cancellationToken).ConfigureAwait(false);
        if (_context is not null && _context.Properties.TryGetValue(Mesh.Gateway.Core.Caching.ResponseCacheHit.Key, out var hit) && answered.ImmediateResponse is { } immediate)
        {
            immediate.Headers.SetHeaders.Add(EnvoyHeaders.ExtProcSet(Mesh.Gateway.Core.Caching.ResponseCacheHit.HeaderName, hit.HeaderValue, _deps.Options.WriteRawValue));
        }

        return answered;
    }

    private bool UpstreamAnswered => _status is >= 200 and < 300;

    // Retry-After (whole seconds, rounded up) when known, then the x-ratelimit-* headers of the limits step's decision.
    private IEnumerable<KeyValuePair<string, string>> LimitHeaders(GatewayError error)
    {
        if (error.RetryAfter is { } retry)
        {
            yield return new("retry-after", Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (_context is not null && _context.Properties.TryGetValue(LimitsPropertyKeys.RateLimitHeaders, out var headers))
        {
            foreach (var header in headers.ToHeaders())
            {
                yield return header;
            }
        }
    }

    // The provider kind of a provider the door recognised (the providers: section's kinds).
    private static ProviderKind KindOf(string provider) => provider switch
    {
        "anthropic" => ProviderKind.Anthropic,
        "gemini" => ProviderKind.Gemini,
        "azure-openai" => ProviderKind.AzureOpenAI,
        "bedrock" => ProviderKind.Bedrock,
        _ => ProviderKind.OpenAI,
    };

    // The body without its texts (each emptied through the schema's codec, on a copy), then the messages the steps pass on
    // (role and text): what the provider will be sent, whichever step changed a text or added a message. Without a parsed
    // body or a chat request, the body's bytes as they are.
    internal static string Fingerprint(string schema, string model, ReadOnlyMemory<byte> body, IWireCodec codec, JsonObject? root, ChatRequest? request)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(schema + "\n" + model + "\n"));
        if (root is null || request is null)
        {
            hash.AppendData(body.Span);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        var shape = root.DeepClone();
        codec.VisitRequestTexts(shape, static _ => string.Empty);
        hash.AppendData(JsonText.Serialize(shape));
        foreach (var message in request.Messages)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes("\0" + message.Role + "\0" + message.Text));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // The sampling temperature, for a cache that leaves sampled calls alone. A stand-in until the schema's codec reads it:
    // top-level "temperature" (OpenAI, Anthropic) or Gemini's generationConfig.temperature; absent = the provider's default.
    private static double? Temperature(JsonObject? root)
    {
        var node = root?["temperature"] ?? (root?["generationConfig"] as JsonObject)?["temperature"];
        return node is JsonValue value && value.TryGetValue<double>(out var temperature) ? temperature : null;
    }

    // One message per request text, in the codec's visiting order, with the role the schema gave it (a system prompt, an
    // earlier answer, a tool's result, the user's words).
    private static ChatMessage[] DoorMessages(RequestBodyResult body)
    {
        var messages = new ChatMessage[body.Texts.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            var text = body.Texts[i];
            messages[i] = (i < body.TextKinds.Count ? body.TextKinds[i] : RequestTextKind.Message) switch
            {
                RequestTextKind.ToolResult => ChatMessage.ToolResult(string.Empty, text),
                RequestTextKind.System => ChatMessage.System(text),
                RequestTextKind.Assistant => ChatMessage.Assistant(text),
                _ => ChatMessage.User(text),
            };
        }

        return messages;
    }

    // The request as the steps passed it on, written back through the schema's codec when it changed: the door's texts one to
    // one, and messages a step added before or after them (a prompt decorator's) where the schema keeps such a message. Null
    // when nothing changed (or nothing can be written).
    private byte[]? WriteBack(RequestBodyResult body, InferenceContext request)
    {
        if (body.Root is null)
        {
            return null;
        }

        if (request.EmbeddingRequest is { } embeddings)
        {
            return WriteTexts(body, embeddings.Inputs) ? JsonText.Serialize(body.Root) : null;
        }

        var messages = request.ChatRequest!.Messages;
        var original = _doorMessages!.Length;
        if (messages.Count < original)
        {
            Log.StepChangeNotWritten(_deps.Logger, _api!.Provider, _api.Operation, "a message was removed");
            return null;
        }

        var first = OriginalsAt(messages, _doorMessages);
        var texts = new string[original];
        for (var i = 0; i < original; i++)
        {
            texts[i] = messages[first + i].Text;
        }

        var changed = WriteTexts(body, texts);
        var codec = _api!.Codec;

        // Prepended in reverse, each going first: they keep the steps' order.
        for (var i = first - 1; i >= 0; i--)
        {
            changed |= AddMessage(codec, body.Root, messages[i], append: false);
        }

        for (var i = first + original; i < messages.Count; i++)
        {
            changed |= AddMessage(codec, body.Root, messages[i], append: true);
        }

        return changed ? JsonText.Serialize(body.Root) : null;
    }

    private bool WriteTexts(RequestBodyResult body, IReadOnlyList<string> texts)
    {
        var same = texts.Count == body.Texts.Count;
        for (var i = 0; same && i < texts.Count; i++)
        {
            same = string.Equals(texts[i], body.Texts[i], StringComparison.Ordinal);
        }

        if (same)
        {
            return false;
        }

        if (texts.Count != body.Texts.Count)
        {
            Log.StepChangeNotWritten(_deps.Logger, _api!.Provider, _api.Operation, "the texts do not map one to one");
            return false;
        }

        var next = 0;
        _api!.Codec.VisitRequestTexts(body.Root!, _ => texts[next++]);
        return true;
    }

    private bool AddMessage(IWireCodec codec, System.Text.Json.Nodes.JsonObject root, ChatMessage message, bool append)
    {
        var kind = message.Role == ChatRole.System ? RequestTextKind.System
            : message.Role == ChatRole.User ? RequestTextKind.Message
            : message.Role == ChatRole.Assistant ? RequestTextKind.Assistant
            : RequestTextKind.ToolResult;
        if (kind != RequestTextKind.ToolResult && message.ToolCalls.Count == 0 && codec.AddRequestMessage(root, kind, message.Text, append))
        {
            return true;
        }

        Log.StepChangeNotWritten(_deps.Logger, _api!.Provider, _api.Operation, "the schema has no place for an added " + message.Role + " message");
        return false;
    }

    // Where the door's own messages sit among those the steps passed on (steps add messages only before or after them, and
    // keep a message they do not change): the offset where the most are the same instance, then the same role.
    private static int OriginalsAt(IReadOnlyList<ChatMessage> messages, ChatMessage[] originals)
    {
        var (best, bestScore) = (0, -1);
        for (var offset = 0; offset + originals.Length <= messages.Count; offset++)
        {
            var score = 0;
            for (var i = 0; i < originals.Length; i++)
            {
                var message = messages[offset + i];
                score += ReferenceEquals(message, originals[i]) ? 3 : message.Role == originals[i].Role ? 1 : 0;
            }

            if (score > bestScore)
            {
                (best, bestScore) = (offset, score);
            }
        }

        return best;
    }

    // A step's own answer, as Envoy's local reply in the provider's shape: an error as the door's errors are, a response or
    // stream through the schema's codec (its SDKs parse it). Settled like an answer from the provider.
    private async ValueTask<ProcessingResponse> AnswerItselfAsync(InferenceResult result, string model, CancellationToken cancellationToken)
    {
        Log.AnsweredByStep(_deps.Logger, _api!.Provider, _api.Operation);
        if (result.IsError)
        {
            var error = EnvoyErrors.FromStep(result.Error);
            _status = EnvoyErrors.HttpStatus(error);
            var refusal = Immediate(error);
            if (result.Error.Reason is GatewayErrorReasons.RateLimited or GatewayErrorReasons.BudgetExceeded)
            {
                // A limits refusal: Retry-After and the remaining requests and tokens, as the providers send them.
                foreach (var (name, value) in LimitHeaders(result.Error))
                {
                    refusal.ImmediateResponse.Headers.SetHeaders.Add(EnvoyHeaders.ExtProcSet(name, value, _deps.Options.WriteRawValue));
                }
            }

            await FinishAsync(refusal, cancellationToken).ConfigureAwait(false);
            return refusal;
        }

        var now = _deps.Time.GetUtcNow();
        byte[]? body = null;
        var contentType = "application/json";
        if (result.Response is { } response)
        {
            body = _api.Codec.RenderResponse(response, model, now);
        }
        else if (result.Embeddings is { } embeddings)
        {
            body = _api.Codec.RenderEmbeddings(embeddings, model, _body?.Root);
        }
        else if (result.Stream is { } stream)
        {
            var chunks = new List<ChatChunk>();
            GatewayError? error = null;
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsError)
                {
                    error = item.Error;
                    break;
                }

                chunks.Add(item.Chunk);
            }

            if (error is not null)
            {
                return await AnswerItselfAsync(InferenceResult.Failure(error), model, cancellationToken).ConfigureAwait(false);
            }

            body = _api.Codec.RenderStream(chunks, model, now);
            contentType = "text/event-stream";
        }

        if (body is null)
        {
            return await AnswerItselfAsync(InferenceResult.Failure(EnvoyErrors.Create(GatewayErrorCode.Unimplemented, GatewayErrorReasons.ProviderUnsupported,
                $"The gateway answered this call itself but cannot write its answer in the {_api.Schema} shape.")), model, cancellationToken).ConfigureAwait(false);
        }

        // The limits step settled the answer already (a stream once it was read above).
        _status = 200;
        var answer = Immediate(200, contentType, body, "mesh_gateway_answered_by_step");
        await FinishAsync(answer, cancellationToken).ConfigureAwait(false);
        return answer;
    }

    // True when the response guardrails inspect this call's answer (the step said so when the steps passed the call on).
    private bool ResponseGuarded => _upstream is not null && _context is not null
        && _context.Properties.TryGetValue(GuardrailsPropertyKeys.ResponseGuarded, out var guarded) && guarded;

    // A whole JSON answer's text parts and tool calls through the response steps: a whole call's steps get the answer now
    // (they settle it: the limits step writes its record); a streamed call answered with JSON (a provider that did not
    // stream) feeds them each part as a run. Returns the parts and calls to write back (calls null: blocked), whether the
    // steps cut the answer (a moderation finding: the body then ends with the schema's content-filter signal), or an error.
    private async ValueTask<(IReadOnlyList<string> Texts, IReadOnlyList<ChatToolCall>? Calls, bool Cut, GatewayError? Error)> GuardWholeAsync(List<string> texts, List<ChatToolCall> calls)
    {
        if (_runPending)
        {
            NoteOutcome();
            _runPending = false;
            _pipelineDone = true;
            _upstream!.SetResult(InferenceResult.FromResponse(new ChatResponse
            {
                Text = string.Concat(texts),
                TextParts = texts.Count > 1 ? texts : [],
                ToolCalls = calls,
                FinishReason = calls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
                Usage = _context!.Usage ?? ChatUsage.Empty,
                Model = _body?.Model ?? string.Empty,
                Provider = _api?.Provider ?? string.Empty,
            }));
            InferenceResult result;
            try
            {
                result = await _run.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PipelineFailed(_deps.Logger, ex);
                return ([], null, false, Uninspectable("the response steps failed"));
            }

            if (result.IsError)
            {
                return ([], null, false, EnvoyErrors.FromStep(result.Error));
            }

            var guarded = result.Response!;
            IReadOnlyList<string> parts = guarded.TextParts.Count == texts.Count ? guarded.TextParts
                : texts.Count == 1 ? [guarded.Text]
                : texts.Count == 0 ? []
                : [guarded.Text, .. Enumerable.Repeat(string.Empty, texts.Count - 1)];
            return (parts, guarded.ToolCalls.Count == calls.Count ? guarded.ToolCalls : null, guarded.FinishReason == ChatFinishReason.ContentFilter, null);
        }

        if (ResponseGuard() is not { } feed)
        {
            return (texts, calls, false, null);
        }

        var released = new string[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var pushed = feed.Push(texts[i]);
            var rest = feed.EndRun();
            released[i] = pushed.Stopped ? pushed.Text : pushed.Text + rest.Text;
            if (pushed.Stopped || rest.Stopped)
            {
                Array.Fill(released, string.Empty, i + 1, texts.Count - i - 1);
                return (released, null, true, null);
            }
        }

        if (calls.Count == 0)
        {
            return (released, calls, false, null);
        }

        _ = feed.PushToolCalls([.. calls.Select(static (c, i) => new ChatToolCallDelta { Index = i, Id = c.Id, Name = c.Name, ArgumentsFragment = c.ArgumentsJson })]);
        var tools = feed.EndRun();
        return tools.Stopped || tools.ToolCalls is not { } toolCalls || toolCalls.Count != calls.Count
            ? (released, null, true, null)
            : (released, [.. toolCalls.Select((d, i) => calls[i] with { ArgumentsJson = d.ArgumentsFragment ?? calls[i].ArgumentsJson })], false, null);
    }

    // The response steps fed per provider event, when the response guardrails inspect this call's answer: the SSE reader
    // pushes each delta and tool-call piece and writes what the steps release into the events Envoy forwards. Null when they
    // do not: the answer goes on as it came and the steps get it once, at its end (FeedStream).
    private StepResponseGuard? ResponseGuard() =>
        _pump is not null && _upstream is not null && _context is not null
        && _context.Properties.TryGetValue(GuardrailsPropertyKeys.ResponseGuarded, out var guarded) && guarded
            ? new StepResponseGuard(_upstream, _pump, _body?.Model)
            : null;

    // Streamed response the response guardrails do not rewrite: the steps get the text the caller was sent as one chunk when
    // the stream ends (or before a cancellation), then the usage and the end of the stream; nothing is allocated or run per
    // body chunk. When they rewrite it, the SSE reader fed them each event (ResponseGuard); here they get the end. What the
    // steps release is read at once (no task).
    private void FeedStream(bool endOfStream)
    {
        if (_pump is null || _pipelineDone || !endOfStream)
        {
            return;
        }

        EndFeed();
        _released!.Clear();
        _pump.ReadAvailable(_released);
    }

    // What the caller was sent since the steps last looked (after the door's response guardrails): what the steps see and
    // the limits step counts when no usage comes, as on the other doors, where the limits step sits outside the response
    // guardrails.
    private void PushDelivered()
    {
        if (_sse is { Rewriting: true })
        {
            // The steps were fed every event already.
            return;
        }

        var length = _sse?.DeliveredLength ?? 0;
        if (length > _fed)
        {
            _upstream!.Push(new ChatChunk { TextDelta = _sse!.DeliveredFrom(_fed), Model = _body?.Model });
            _fed = length;
        }
    }

    private void EndFeed()
    {
        if (_feedEnded)
        {
            return;
        }

        _feedEnded = true;
        NoteOutcome();
        PushDelivered();
        if (UpstreamAnswered && _sse is { Completed: false, Cut: false, ToolCallCut: false })
        {
            // The provider's stream ended before its end event (the connection broke): the limits step charges what was
            // delivered as an upstream cut, as on the other doors.
            _upstream!.Push(InferenceStreamItem.FromError(new GatewayError
            {
                Code = GatewayErrorCode.Unavailable,
                Reason = GatewayErrorReasons.StreamInterrupted,
                Message = "The provider's stream ended before its last event.",
            }));
        }
        else if (UpstreamAnswered)
        {
            _upstream!.Push(new ChatChunk { FinishReason = ChatFinishReason.Stop, Usage = _context!.Usage, Model = _body?.Model });
        }
        else
        {
            _upstream!.Push(InferenceStreamItem.FromError(UpstreamError()));
        }

        _upstream.Complete();
    }

    /// <summary>The exchange is over: the steps get the end of the answer (or a cancellation) and finish.</summary>
    private async ValueTask CompletePipelineAsync(bool cancelled)
    {
        if (_upstream is null || _pipelineDone)
        {
            return;
        }

        _pipelineDone = true;
        NoteOutcome();
        try
        {
            if (_pump is not null)
            {
                if (cancelled)
                {
                    PushDelivered();
                    _upstream.Fail(new OperationCanceledException("Envoy ended the exchange."));
                }
                else
                {
                    EndFeed();
                }

                try
                {
                    _released!.Clear();
                    _pump.ReadAvailable(_released);
                }
                catch (OperationCanceledException)
                {
                    // The cancellation fed above: the steps saw it.
                }

                await _pump.DisposeAsync().ConfigureAwait(false);
            }
            else if (_runPending)
            {
                _runPending = false;
                if (cancelled)
                {
                    _upstream.Fail(new OperationCanceledException("Envoy ended the exchange."));
                }
                else
                {
                    _upstream.SetResult(UpstreamAnswered
                        ? InferenceResult.FromResponse(new ChatResponse { Text = _jsonCompletion ?? WholeText(), Usage = _context!.Usage ?? ChatUsage.Empty, Model = _body?.Model ?? string.Empty, Provider = _api?.Provider ?? string.Empty })
                        : InferenceResult.Failure(UpstreamError()));
                }

                try
                {
                    _ = await _run.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The cancellation fed above: the steps saw it.
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PipelineFailed(_deps.Logger, ex);
        }
    }

    // The generated text of a whole JSON response, when the guardrails did not already read it.
    private string WholeText()
    {
        if (_responseBody is not { WrittenCount: > 0 } || _status is < 200 or >= 300)
        {
            return string.Empty;
        }

        try
        {
            var node = JsonNode.Parse(_responseBody.WrittenSpan);
            var texts = new List<string>();
            _ = ResponseTexts.MapAllText(node!, text =>
            {
                texts.Add(text);
                return text;
            });
            return string.Concat(texts);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return string.Empty;
        }
    }

    // What the limits step reads when it settles: the HTTP status the caller got, the usage the provider reported, and what
    // the door's response guardrails did.
    private void NoteOutcome()
    {
        _ledger.HttpStatus = _status;
        _context!.Usage = UsageOf(_sse?.Usage ?? _jsonUsage);
        if (_sse is { Rewriting: true } sse && sse.CompletionLength > sse.DeliveredLength && _context.Usage is not { OutputTokens: > 0 })
        {
            // The guardrails still hold text back (the caller went away, the upstream broke off): the provider generated it,
            // so it is counted, though the steps never see it.
            _ledger.GeneratedText = sse.CompletionText;
        }
        NoteGuardrailActions();
    }

    private GatewayError UpstreamError() => new()
    {
        Code = _status.ToString(System.Globalization.CultureInfo.InvariantCulture)[0] == '4' ? GatewayErrorCode.InvalidArgument : GatewayErrorCode.Unavailable,
        Reason = GatewayErrorReasons.ProviderError,
        Message = $"The provider answered with HTTP {_status}.",
        Metadata = new Dictionary<string, string> { ["http_status"] = _status.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private static ChatUsage? UsageOf(UsageAccumulator? usage) => usage is { Reported: true } u
        ? new ChatUsage
        {
            InputTokens = u.InputTokens,
            OutputTokens = u.OutputTokens,
            CachedInputTokens = u.CachedInputTokens,
            CacheWriteInputTokens = u.CacheWriteInputTokens,
            ReasoningTokens = u.ReasoningTokens,
        }
        : null;
}
