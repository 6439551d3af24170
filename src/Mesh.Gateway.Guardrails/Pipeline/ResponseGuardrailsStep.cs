using System.Runtime.CompilerServices;
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
    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        if (result.IsError || context.Operation != InferenceOperation.Chat)
        {
            return result;
        }

        if (!context.Properties.TryGetValue(GuardrailsPropertyKeys.Policy, out var policy))
        {
            policy = GuardPolicySelector.For(policies.Current, context.Identity?.TenantId);
        }

        if (!policy.InspectsOutput)
        {
            // Nothing reads the output: hold nothing back (a held tail would only add latency).
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

            return InferenceResult.FromResponse(guarded);
        }

        return result.Stream is { } stream
            ? InferenceResult.FromStream(GuardStream(stream, engine.CreateStream(policy, GuardDirection.Output, vault), context.Properties, cancellationToken))
            : result;
    }

    private ChatResponse GuardWhole(ChatResponse response, GuardPolicy policy, GuardTokenVault? vault)
    {
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

    private static async IAsyncEnumerable<InferenceStreamItem> GuardStream(
        IAsyncEnumerable<InferenceStreamItem> stream, StreamingRedactor redactor, InferenceProperties properties, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var completed = false;
        string? id = null;
        string? model = null;
        await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.IsError)
            {
                // The text so far reaches the caller before the error, inspected as the end of the text (the Envoy door
                // releases it the same way when the upstream breaks off).
                if (!completed)
                {
                    completed = true;
                    var held = redactor.Complete();
                    if (held.Stopped)
                    {
                        foreach (var cut in Cut(held, id, model, properties))
                        {
                            yield return cut;
                        }

                        yield break;
                    }

                    if (held.Text.Length > 0)
                    {
                        yield return InferenceStreamItem.FromChunk(new ChatChunk { Id = id, Model = model, TextDelta = held.Text });
                    }
                }

                yield return item;
                yield break;
            }

            var chunk = item.Chunk;
            id ??= chunk.Id;
            model ??= chunk.Model;
            var text = chunk.TextDelta;
            if (!completed && text is { Length: > 0 })
            {
                var output = redactor.Push(text);
                if (output.Stopped)
                {
                    foreach (var cut in Cut(output, id, model, properties))
                    {
                        yield return cut;
                    }

                    yield break;
                }

                text = output.Text;
            }

            if (!completed && (chunk.FinishReason is not null || chunk.Usage is not null))
            {
                // The end of the text: release what was held back, before the finish reason and usage.
                completed = true;
                var rest = redactor.Complete();
                text = string.IsNullOrEmpty(text) ? rest.Text : text + rest.Text;
                if (rest.Stopped)
                {
                    foreach (var cut in Cut(rest with { Text = text }, id, model, properties))
                    {
                        yield return cut;
                    }

                    yield break;
                }
            }

            yield return ReferenceEquals(text, chunk.TextDelta) ? item : InferenceStreamItem.FromChunk(chunk with { TextDelta = text });
        }

        if (!completed)
        {
            var rest = redactor.Complete();
            if (rest.Stopped)
            {
                foreach (var cut in Cut(rest, id, model, properties))
                {
                    yield return cut;
                }
            }
            else if (rest.Text.Length > 0)
            {
                yield return InferenceStreamItem.FromChunk(new ChatChunk { Id = id, Model = model, TextDelta = rest.Text });
            }
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
