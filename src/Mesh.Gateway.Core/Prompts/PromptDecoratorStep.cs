using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>
/// Adds the configured decorators (<c>prompts.decorators</c>) to each chat call of a matching tenant and route: prepended
/// before the caller's first message, appended after its last, in configuration order.
/// </summary>
/// <remarks>
/// Runs at <see cref="InferenceStepOrder.PromptDecorators"/>: after authentication (it needs the tenant), before the request
/// guardrails (which see what goes upstream, decorator included) and limits (whose reservation counts the decorator).
/// Door-neutral: it only rewrites the ChatRequest.
/// </remarks>
internal sealed class PromptDecoratorStep(PromptRegistryHolder registries) : IInferenceStep
{
    public PromptDecoratorStep(PromptRegistry registry)
        : this(new PromptRegistryHolder(registry))
    {
    }

    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        var decorators = registries.Current.Decorators;
        if (decorators.Count > 0 && context.ChatRequest is { } chat && Decorate(decorators, chat, context.Identity?.TenantId, context.Model) is { } decorated)
        {
            context.ChatRequest = decorated;
        }

        return nextStep(context, cancellationToken);
    }

    private static ChatRequest? Decorate(IReadOnlyList<PromptDecorator> decorators, ChatRequest chat, string? tenantId, string model)
    {
        List<ChatMessage>? before = null;
        List<ChatMessage>? after = null;
        foreach (var decorator in decorators)
        {
            if (decorator.Matches(tenantId, model))
            {
                (decorator.Append ? after ??= [] : before ??= []).Add(decorator.Message);
            }
        }

        if (before is null && after is null)
        {
            return null;
        }

        return chat with { Messages = [.. before ?? [], .. chat.Messages, .. after ?? []] };
    }
}
