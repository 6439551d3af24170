using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Guardrails.Pipeline;

namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>The policy's pluggable checks (<c>checks:</c>) on the request's texts after the local guardrails (so what they
/// redact never leaves the gateway), and on a whole response's text where a check asks for output. An enforcing check's flag
/// blocks the request (INVALID_ARGUMENT, <c>BLOCKED_BY_POLICY</c>) or cuts the whole response (<c>content_filter</c>).</summary>
/// <remarks>Runs just inside <see cref="RequestGuardrailsStep"/> and takes its policy from the call's properties. Streamed
/// responses are not sent to checks (a remote round trip per delta would stall the stream).</remarks>
internal sealed class GuardChecksStep(GuardChecks checks, GuardrailsPolicies policies) : IInferenceStep
{
    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        if (!context.Properties.TryGetValue(GuardrailsPropertyKeys.Policy, out var policy))
        {
            policy = GuardPolicySelector.For(policies.Current, context.Identity?.TenantId);
        }

        // No checks configured (the usual case): no async layer added to the call.
        return policy.Checks.Count == 0 ? nextStep(context, cancellationToken) : CheckAsync(context, nextStep, policy, cancellationToken);
    }

    private async ValueTask<InferenceResult> CheckAsync(InferenceContext context, InferenceHandler nextStep, GuardPolicy policy, CancellationToken cancellationToken)
    {
        var texts = context.Operation == InferenceOperation.Chat
            ? [.. context.ChatRequest!.Messages.Select(static m => m.Text).Where(static t => t.Length > 0)]
            : context.EmbeddingRequest!.Inputs;
        var request = new GuardCheckRequest { Texts = texts, TenantId = context.Identity?.TenantId, Policy = policy.Name };
        if (await checks.RunAsync(policy.Checks, request, context.Properties, cancellationToken).ConfigureAwait(false) is { } blocked)
        {
            return InferenceResult.Failure(GuardrailErrors.Blocked(blocked, policy.Name));
        }

        var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        if (result.Response is { Text.Length: > 0 } whole && policy.Checks.Any(static c => c.OnOutput))
        {
            var output = request with { Texts = [whole.Text], Direction = GuardDirection.Output };
            if (await checks.RunAsync(policy.Checks, output, context.Properties, cancellationToken).ConfigureAwait(false) is not null)
            {
                context.Properties.AddGuardrailAction(InferencePropertyKeys.CutResponse);
                return InferenceResult.FromResponse(whole with { Text = string.Empty, ToolCalls = [], FinishReason = ChatFinishReason.ContentFilter, ProviderFinishReason = policy.Stream.FinishReason });
            }
        }

        return result;
    }
}
