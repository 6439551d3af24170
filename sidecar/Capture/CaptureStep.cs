using System.Runtime.CompilerServices;
using System.Text;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Guardrails.Pipeline;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>
/// Captures a chat call's prompt and answer when <c>capture.enabled</c> (and the tenant is one of <c>capture.tenants</c>, if
/// listed). It sits at <see cref="InferenceStepOrder.Capture"/>: inside the request guardrails, so the prompt is the one that
/// goes upstream (redacted; reversible placeholders stay placeholders), and outside the response guardrails, so the answer is
/// the one the caller receives after them, with whatever the call's vault restored hidden again. Keyed by the call's lease id,
/// which is the ledger record's <c>request_id</c>. Keys are never captured (they are headers, not the request).
/// </summary>
internal sealed class CaptureStep(CaptureOptions options, ICaptureStore store, TimeProvider time) : IInferenceStep
{
    private readonly TimeSpan _retention = CaptureRetention.TryParse(options.Retention, out var r) ? r : TimeSpan.FromHours(24);
    private readonly HashSet<string> _tenants = new(options.Tenants, StringComparer.Ordinal);

    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        if (!options.Enabled
            || context.ChatRequest is not { } request
            || !context.Properties.TryGetValue(LimitsPropertyKeys.Lease, out var lease)
            || (_tenants.Count > 0 && !_tenants.Contains(context.Identity?.TenantId ?? string.Empty)))
        {
            return await nextStep(context, cancellationToken).ConfigureAwait(false);
        }

        var prompt = Render(request);
        var callId = lease.ReservationId;
        var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        if (result.Response is { } response)
        {
            Keep(context, callId, prompt, response.Text, UsageRecord.Ok);
            return result;
        }

        if (result.Stream is { } stream)
        {
            return InferenceResult.FromStream(Capturing(context, callId, prompt, stream, CancellationToken.None));
        }

        Keep(context, callId, prompt, result.Error?.Message, UsageRecord.Error);
        return result;
    }

    private async IAsyncEnumerable<InferenceStreamItem> Capturing(
        InferenceContext context, string callId, string prompt, IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var answer = new StringBuilder();
        var status = UsageRecord.Cancelled;
        try
        {
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsError)
                {
                    status = UsageRecord.Error;
                }
                else if (item.Chunk.TextDelta is { } delta && answer.Length <= options.MaxChars)
                {
                    answer.Append(delta);
                }

                yield return item;
            }

            if (status != UsageRecord.Error)
            {
                status = UsageRecord.Ok;
            }
        }
        finally
        {
            Keep(context, callId, prompt, answer.ToString(), status);
        }
    }

    private void Keep(InferenceContext context, string callId, string prompt, string? answer, string status)
    {
        if (answer is not null && context.Properties.TryGetValue(GuardrailsPropertyKeys.Vault, out GuardTokenVault? vault))
        {
            answer = vault.Hide(answer);
        }

        var truncated = prompt.Length > options.MaxChars || answer?.Length > options.MaxChars;
        var now = time.GetUtcNow();
        store.Add(new CapturedCall(
            callId,
            now,
            now + _retention,
            context.Identity?.TenantId ?? string.Empty,
            context.Identity?.KeyId,
            context.Source switch { InferenceSource.Envoy => "envoy", InferenceSource.Http => "http", _ => "grpc" },
            context.ServedTarget?.Model ?? context.Model,
            Cut(prompt),
            answer is null ? null : Cut(answer),
            status,
            truncated));
    }

    private string Cut(string text) => text.Length > options.MaxChars ? text[..options.MaxChars] : text;

    // One line per message, "role: text", as the provider was sent it.
    private static string Render(ChatRequest request)
    {
        var text = new StringBuilder();
        foreach (var message in request.Messages)
        {
            text.Append(message.Role.ToString().ToLowerInvariant()).Append(": ").Append(message.Text).Append('\n');
        }

        return text.ToString();
    }
}
