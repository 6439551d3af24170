using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>
/// Guards the generated text on its way back: a stream delta by delta through the engine's <see cref="StreamingRedactor"/> (safe
/// across chunk boundaries: a value split over two deltas is still caught), a whole response as one text. Tokenization
/// placeholders from the request are restored; a blocking finding (moderation) cuts the output and ends it with finish reason
/// <see cref="ChatFinishReason.ContentFilter"/> (the policy's <c>stream.finish_reason</c> as the provider word).
/// </summary>
/// <remarks>Runs inside <see cref="RequestGuardrailsStep"/> and takes its policy and vault from the call's properties. A cut
/// stream stops reading upstream (the iterator is disposed, which cancels the provider call).</remarks>
internal sealed class ResponseGuardrailsStep(IGuardrailEngine engine, GuardrailsPolicies policies) : IInferenceStep
{
    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        if (context.Operation != InferenceOperation.Chat)
        {
            return nextStep(context, cancellationToken);
        }

        // The policy the request guardrails chose (the steps between them and this one do not change it).
        if (!context.Properties.TryGetValue(GuardrailsPropertyKeys.Policy, out var policy))
        {
            policy = GuardPolicySelector.For(policies.Current, context.Identity?.TenantId);
        }

        // Nothing reads the output: hold nothing back (a held tail would only add latency), and add no async layer to the call.
        if (!policy.InspectsOutput && !policy.Tools.Restricts)
        {
            return nextStep(context, cancellationToken);
        }

        context.Properties.Set(GuardrailsPropertyKeys.ResponseGuarded, true);
        return GuardAsync(context, nextStep, policy, cancellationToken);
    }

    private async ValueTask<InferenceResult> GuardAsync(InferenceContext context, InferenceHandler nextStep, GuardPolicy policy, CancellationToken cancellationToken)
    {
        var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        if (result.IsError)
        {
            return result;
        }

        context.Properties.TryGetValue(GuardrailsPropertyKeys.Vault, out var vault);
        if (result.Response is { } whole)
        {
            var guarded = GuardWhole(whole, policy, vault);
            if (guarded.FinishReason == ChatFinishReason.ContentFilter && whole.FinishReason != ChatFinishReason.ContentFilter)
            {
                context.Properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
            }

            if (guarded.FinishReason != ChatFinishReason.ContentFilter && guarded.ToolCalls.Count > 0)
            {
                guarded = GuardToolCalls(guarded, policy, vault, context.Properties);
            }

            return InferenceResult.FromResponse(guarded);
        }

        if (result.Stream is null)
        {
            return result;
        }

        Func<StreamingRedactor> redactor = () => engine.CreateStream(policy, GuardDirection.Output, vault);
        var tools = new ToolCalls(engine, policy, vault);
        var usageAfterCut = context.Properties.TryGetValue(InferencePropertyKeys.UsageAfterCut, out var goesOn) && goesOn;
        return result.WithStage(new GuardStage(redactor, tools, context.Properties, usageAfterCut), cancellationToken);
    }

    private ChatResponse GuardWhole(ChatResponse response, GuardPolicy policy, GuardTokenVault? vault)
    {
        if (response.TextParts.Count > 1)
        {
            return GuardParts(response, policy, vault);
        }

        if (response.Text.Length == 0)
        {
            return response;
        }

        var output = WholeOutputGuard.Inspect(engine, policy, vault, response.Text);
        if (output.Stopped)
        {
            return response with
            {
                Text = output.Text,
                ToolCalls = [],
                FinishReason = ChatFinishReason.ContentFilter,
                ProviderFinishReason = output.FinishReason,
            };
        }

        return ReferenceEquals(output.Text, response.Text) || output.Text == response.Text ? response : response with { Text = output.Text };
    }

    // Each part inspected as a whole text of its own (a finding is not joined across parts, as it is not across a stream's
    // runs); a blocking finding cuts its part there and empties the parts after it.
    private ChatResponse GuardParts(ChatResponse response, GuardPolicy policy, GuardTokenVault? vault)
    {
        var parts = new string[response.TextParts.Count];
        var changed = false;
        string? stopped = null;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = response.TextParts[i];
            if (stopped is not null || part.Length == 0)
            {
                parts[i] = stopped is null ? part : string.Empty;
                changed |= parts[i] != part;
                continue;
            }

            var output = WholeOutputGuard.Inspect(engine, policy, vault, part);
            parts[i] = output.Text;
            changed |= output.Text != part;
            if (output.Stopped)
            {
                stopped = output.FinishReason ?? policy.Stream.FinishReason;
            }
        }

        if (stopped is not null)
        {
            return response with
            {
                Text = string.Concat(parts),
                TextParts = parts,
                ToolCalls = [],
                FinishReason = ChatFinishReason.ContentFilter,
                ProviderFinishReason = stopped,
            };
        }

        return changed ? response with { Text = string.Concat(parts), TextParts = parts } : response;
    }

    // The model's tool calls: a call the policy does not allow, or whose arguments hold a blocking finding, ends the answer
    // (the text before it kept, no tool call, finish reason content_filter); redacted arguments replace the originals.
    private ChatResponse GuardToolCalls(ChatResponse response, GuardPolicy policy, GuardTokenVault? vault, InferenceProperties properties)
    {
        var guarded = new ChatToolCall[response.ToolCalls.Count];
        for (var i = 0; i < guarded.Length; i++)
        {
            var (call, blocked) = ToolCallGuard.Inspect(engine, policy, vault, response.ToolCalls[i], GuardDirection.Output);
            if (blocked is not null)
            {
                properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
                properties.AddGuardrailAction(InferencePropertyKeys.CutToolCall);
                return response with { ToolCalls = [], FinishReason = ChatFinishReason.ContentFilter, ProviderFinishReason = policy.Stream.FinishReason };
            }

            guarded[i] = call;
        }

        return guarded.SequenceEqual(response.ToolCalls) ? response : response with { ToolCalls = guarded };
    }

    // The stream guarded item by item, in the stream's one loop of stages (no async layer of its own).
    private sealed class GuardStage(Func<StreamingRedactor> newRedactor, ToolCalls tools, InferenceProperties properties, bool usageAfterCut) : IInferenceStreamStage
    {
        // Made when a run's first text comes (a run ended by the stream's end alone holds nothing).
        private StreamingRedactor? _redactor;
        private bool _completed;
        private bool _cutShort;
        private string? _id;
        private string? _model;

        public bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output)
        {
            if (_cutShort)
            {
                // Cut before the upstream's end, where it goes on whatever the steps cut (the Envoy door's proxy forwards the
                // provider's whole response): what follows is read for its usage only, so the call settles on it.
                if (!item.IsError && !item.IsTextDelta && item.Chunk is { Usage: { } usage } after)
                {
                    output.Add(InferenceStreamItem.FromChunk(new ChatChunk { Id = after.Id, Model = after.Model, Usage = usage }));
                }

                return true;
            }

            if (item.IsError)
            {
                // The text so far reaches the caller before the error, inspected as the end of the text (the Envoy door
                // releases it the same way when the upstream breaks off).
                if (!_completed)
                {
                    _completed = true;
                    var held = _redactor?.Complete() ?? StreamingOutput.Empty;
                    if (held.Stopped)
                    {
                        output.AddRange(Cut(held, _id, _model, properties));
                        return false;
                    }

                    if (held.Text.Length > 0)
                    {
                        output.Add(InferenceStreamItem.FromChunk(new ChatChunk { Id = _id, Model = _model, TextDelta = held.Text }));
                    }
                }

                output.Add(item);
                return false;
            }

            if (item.IsTextDelta)
            {
                // A door's plain text delta (the Envoy door, per provider event): guarded and passed on as a text item,
                // with no chunk made on either side.
                if (_completed || item.TextDelta.Length == 0)
                {
                    output.Add(item);
                    return true;
                }

                var pushed = (_redactor ??= newRedactor()).Push(item.TextDelta);
                if (pushed.Stopped)
                {
                    return CutShort(pushed, output);
                }

                output.Add(ReferenceEquals(pushed.Text, item.TextDelta) ? item : InferenceStreamItem.FromTextDelta(pushed.Text));
                return true;
            }

            var passed = item;
            var chunk = item.Chunk;
            _id ??= chunk.Id;
            _model ??= chunk.Model;
            if (chunk.ToolCallDeltas.Count > 0)
            {
                // A tool call is held whole until the text ends: its arguments are inspected as one JSON value.
                tools.Add(chunk.ToolCallDeltas);
                chunk = chunk with { ToolCallDeltas = [] };
                if (chunk is { TextDelta: null or "", ReasoningDelta: null or "", ReasoningSignature: null, FinishReason: null, Usage: null, EndsTextRun: false })
                {
                    return true;
                }

                passed = InferenceStreamItem.FromChunk(chunk);
            }

            var text = chunk.TextDelta;
            if (!_completed && text is { Length: > 0 })
            {
                var guarded = (_redactor ??= newRedactor()).Push(text);
                if (guarded.Stopped)
                {
                    return CutShort(guarded, output);
                }

                text = guarded.Text;
            }

            if (!_completed && chunk is { EndsTextRun: true, FinishReason: null, Usage: null })
            {
                // The end of one run (a content block, an output item; a door that forwards the provider's events says so):
                // what was held back goes out now, before the provider's end event, and the next run is inspected anew.
                if (!ReleaseHeldBack(ref text, output, out var goOn))
                {
                    return goOn;
                }

                _redactor = null;
                output.Add(InferenceStreamItem.FromChunk(chunk with { TextDelta = text }));
                return true;
            }

            if (!_completed && (chunk.FinishReason is not null || chunk.Usage is not null))
            {
                // The end of the text: release what was held back, before the finish reason and usage.
                _completed = true;
                if (!ReleaseHeldBack(ref text, output, out var goOn))
                {
                    return goOn;
                }
            }

            output.Add(ReferenceEquals(text, chunk.TextDelta) ? passed : InferenceStreamItem.FromChunk(chunk with { TextDelta = text }));
            return true;
        }

        public void OnCompleted(List<InferenceStreamItem> output)
        {
            if (_cutShort)
            {
                return;
            }

            if (!_completed)
            {
                var rest = _redactor?.Complete() ?? StreamingOutput.Empty;
                if (rest.Stopped)
                {
                    output.AddRange(Cut(rest, _id, _model, properties));
                }
                else if (rest.Text.Length > 0)
                {
                    output.Add(InferenceStreamItem.FromChunk(new ChatChunk { Id = _id, Model = _model, TextDelta = rest.Text }));
                }

                if (!rest.Stopped && tools.Held)
                {
                    output.AddRange(ReleaseHeld(tools, text: null, _id, _model, properties, out _));
                }
            }
            else if (tools.Held)
            {
                // Tool-call pieces after the end of the text (a provider that sends them after its finish event).
                output.AddRange(ReleaseHeld(tools, text: null, _id, _model, properties, out _));
            }
        }

        public ValueTask OnEndAsync() => ValueTask.CompletedTask;

        // At the end of a run or of the text, before the event that ends it: what the redactor held back joins the event's
        // text, then the held tool calls go out (the text before them first). False when that cut the stream; goOn is then
        // what OnItem returns.
        private bool ReleaseHeldBack(ref string? text, List<InferenceStreamItem> output, out bool goOn)
        {
            goOn = true;
            var rest = _redactor?.Complete() ?? StreamingOutput.Empty;
            text = string.IsNullOrEmpty(text) ? rest.Text : text + rest.Text;
            if (rest.Stopped)
            {
                goOn = CutShort(rest with { Text = text }, output);
                return false;
            }

            if (tools.Held)
            {
                // The text held before the calls goes first, then the calls (or the cut of a blocked one).
                output.AddRange(ReleaseHeld(tools, text, _id, _model, properties, out var toolCut));
                text = string.IsNullOrEmpty(text) ? text : null;
                if (toolCut)
                {
                    _cutShort = true;
                    goOn = usageAfterCut;
                    return false;
                }
            }

            return true;
        }

        // A cut before the upstream's end: reading stops there (the upstream is disposed, which ends the provider call), unless
        // the call goes on for its usage (the Envoy door).
        private bool CutShort(StreamingOutput output, List<InferenceStreamItem> items)
        {
            items.AddRange(Cut(output, _id, _model, properties));
            _cutShort = true;
            return usageAfterCut;
        }
    }

    // The held tool calls released: after the text held before them (if any), the calls as the policy passed them, or the
    // cut (content_filter, no call) when it blocked one (cut is then true).
    private static List<InferenceStreamItem> ReleaseHeld(ToolCalls tools, string? text, string? id, string? model, InferenceProperties properties, out bool cut)
    {
        var items = new List<InferenceStreamItem>(2);
        if (!string.IsNullOrEmpty(text))
        {
            items.Add(InferenceStreamItem.FromChunk(new ChatChunk { Id = id, Model = model, TextDelta = text }));
        }

        var released = tools.Release();
        cut = released is null;
        if (released is null)
        {
            items.AddRange(CutToolCall(tools.Policy, id, model, properties));
        }
        else
        {
            items.Add(InferenceStreamItem.FromChunk(new ChatChunk { Id = id, Model = model, ToolCallDeltas = released }));
        }

        return items;
    }

    // A tool call the policy blocked: the stream ends with content_filter and no tool call.
    private static IEnumerable<InferenceStreamItem> CutToolCall(GuardPolicy policy, string? id, string? model, InferenceProperties properties)
    {
        properties.AddGuardrailAction(InferencePropertyKeys.CutToolCall);
        return Cut(new StreamingOutput { Text = string.Empty, Findings = [], Stopped = true, FinishReason = policy.Stream.FinishReason }, id, model, properties);
    }

    // The tool-call deltas of one streamed answer, joined per index until they are released whole and inspected.
    private sealed class ToolCalls(IGuardrailEngine engine, GuardPolicy policy, GuardTokenVault? vault)
    {
        private readonly SortedDictionary<int, (string? Id, string? Name, System.Text.StringBuilder Arguments)> _calls = [];

        public GuardPolicy Policy => policy;

        public bool Held => _calls.Count > 0;

        public void Add(IReadOnlyList<ChatToolCallDelta> deltas)
        {
            foreach (var delta in deltas)
            {
                if (!_calls.TryGetValue(delta.Index, out var call))
                {
                    call = (null, null, new System.Text.StringBuilder());
                }

                call.Arguments.Append(delta.ArgumentsFragment);
                _calls[delta.Index] = (call.Id ?? delta.Id, call.Name ?? delta.Name, call.Arguments);
            }
        }

        /// <summary>The held calls, guarded, one delta each; null when one is blocked.</summary>
        public List<ChatToolCallDelta>? Release()
        {
            var released = new List<ChatToolCallDelta>(_calls.Count);
            foreach (var (index, held) in _calls)
            {
                var (call, blocked) = ToolCallGuard.Inspect(engine, policy, vault, new ChatToolCall(held.Id ?? string.Empty, held.Name ?? string.Empty, held.Arguments.ToString()), GuardDirection.Output);
                if (blocked is not null)
                {
                    return null;
                }

                released.Add(new ChatToolCallDelta { Index = index, Id = held.Id, Name = held.Name, ArgumentsFragment = call.ArgumentsJson });
            }

            _calls.Clear();
            return released;
        }
    }

    // The text released before the blocking finding, then the finish chunk that ends the stream. Recorded for the ledger
    // (limits charge a cut stream as guardrail_cut).
    private static IEnumerable<InferenceStreamItem> Cut(StreamingOutput output, string? id, string? model, InferenceProperties properties)
    {
        properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
        if (output.Text.Length > 0)
        {
            yield return InferenceStreamItem.FromChunk(new ChatChunk { Id = id, Model = model, TextDelta = output.Text });
        }

        yield return InferenceStreamItem.FromChunk(new ChatChunk
        {
            Id = id,
            Model = model,
            FinishReason = ChatFinishReason.ContentFilter,
            ProviderFinishReason = output.FinishReason,
        });
    }
}
