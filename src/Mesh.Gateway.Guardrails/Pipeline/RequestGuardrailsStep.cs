using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>
/// Inspects every text of the request (chat messages, embedding inputs) as input with the caller's policy before anything
/// goes upstream: a blocking finding ends the call (INVALID_ARGUMENT, <c>BLOCKED_BY_POLICY</c>); redacted or tokenized texts
/// replace the originals in the request the router sends. Tool results are inspected as retrieved documents, the arguments of
/// earlier tool calls as input, and a declared tool the policy's <c>tools.allow</c> leaves out blocks the call
/// (<c>tool_not_allowed</c>).
/// </summary>
/// <remarks>The same engine calls, per text, as the Envoy door's request body (<c>RequestBodyEditor</c>). Tokenized values go
/// into one vault per call, which <see cref="ResponseGuardrailsStep"/> uses to restore them in what the caller receives.
/// A policy with learned detectors reads each text's sentence vector through <see cref="PromptEmbedding"/>, so the semantic
/// cache after this step reuses the last message's vector instead of encoding it again.</remarks>
internal sealed class RequestGuardrailsStep(IGuardrailEngine engine, GuardrailsPolicies policies, ITextEncoder? encoder = null) : IInferenceStep
{
    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        var policy = GuardPolicySelector.For(policies.Current, context.Identity?.TenantId);
        var vault = policy.UsesTokenVault ? new GuardTokenVault() : null;
        context.Properties.Set(GuardrailsPropertyKeys.Policy, policy);
        if (vault is not null)
        {
            context.Properties.Set(GuardrailsPropertyKeys.Vault, vault);
        }

        Func<string, float[]>? embed = policy.Learned.Enabled && encoder is not null
            ? text => PromptEmbedding.GetOrEncode(context, encoder, text, cancellationToken).Vector
            : null;
        var error = context.Operation == InferenceOperation.Chat
            ? GuardChat(context, policy, vault, embed)
            : GuardEmbeddings(context, policy, vault);
        return error is null ? nextStep(context, cancellationToken) : ValueTask.FromResult(InferenceResult.Failure(error));
    }

    private GatewayError? GuardChat(InferenceContext context, GuardPolicy policy, GuardTokenVault? vault, Func<string, float[]>? embed)
    {
        var chat = context.ChatRequest!;
        foreach (var tool in chat.Tools)
        {
            if (!policy.Tools.IsAllowed(tool.Name))
            {
                return GuardrailErrors.Blocked(ToolCallGuard.NotAllowed, policy.Name);
            }
        }

        ChatMessage[]? messages = null;
        for (var i = 0; i < chat.Messages.Count; i++)
        {
            var message = chat.Messages[i];

            // A tool's result is content the app retrieved, not the user's words: the indirect-injection patterns apply.
            var direction = message.Role == ChatRole.Tool && policy.Tools.ScanResults ? GuardDirection.RetrievedDocument : GuardDirection.Input;
            ChatContentPart[]? parts = null;
            for (var j = 0; j < message.Content.Count; j++)
            {
                if (message.Content[j] is not TextContentPart text)
                {
                    continue;
                }

                var result = engine.Inspect(text.Text, direction, policy, vault, embed);
                if (result.Verdict == GuardVerdict.Block)
                {
                    return GuardrailErrors.Blocked(result.BlockReason, policy.Name);
                }

                if (result.Changed)
                {
                    parts ??= [.. message.Content];
                    parts[j] = new TextContentPart(result.RedactedText);
                }
            }

            ChatToolCall[]? calls = null;
            for (var k = 0; k < message.ToolCalls.Count; k++)
            {
                // Earlier calls sent back in the conversation are input like the rest of it.
                var (call, blocked) = ToolCallGuard.Inspect(engine, policy, vault, message.ToolCalls[k], GuardDirection.Input);
                if (blocked is not null)
                {
                    return GuardrailErrors.Blocked(blocked, policy.Name);
                }

                if (!ReferenceEquals(call, message.ToolCalls[k]))
                {
                    calls ??= [.. message.ToolCalls];
                    calls[k] = call;
                }
            }

            if (parts is not null || calls is not null)
            {
                messages ??= [.. chat.Messages];
                messages[i] = message with { Content = parts ?? message.Content, ToolCalls = calls ?? message.ToolCalls };
            }
        }

        if (messages is not null)
        {
            context.ChatRequest = chat with { Messages = messages };
            context.Properties.Set(GuardrailsPropertyKeys.RequestRedacted, true);
            context.Properties.AddGuardrailAction(InferencePropertyKeys.RedactedRequest);
        }

        return null;
    }

    private GatewayError? GuardEmbeddings(InferenceContext context, GuardPolicy policy, GuardTokenVault? vault)
    {
        var request = context.EmbeddingRequest!;
        string[]? inputs = null;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var result = engine.Inspect(request.Inputs[i], GuardDirection.Input, policy, vault);
            if (result.Verdict == GuardVerdict.Block)
            {
                return GuardrailErrors.Blocked(result.BlockReason, policy.Name);
            }

            if (result.Changed)
            {
                inputs ??= [.. request.Inputs];
                inputs[i] = result.RedactedText;
            }
        }

        if (inputs is not null)
        {
            context.EmbeddingRequest = request with { Inputs = inputs };
            context.Properties.Set(GuardrailsPropertyKeys.RequestRedacted, true);
            context.Properties.AddGuardrailAction(InferencePropertyKeys.RedactedRequest);
        }

        return null;
    }
}
