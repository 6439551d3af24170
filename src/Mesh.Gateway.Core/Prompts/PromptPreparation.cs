using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>What <c>PromptRunner.PrepareAsync</c> gives a door: the chat request to run and its prompt, or the error to answer.</summary>
public sealed record PromptPreparation
{
    public GatewayError? Error { get; init; }

    public ChatRequest? Request { get; init; }

    public PromptCall? Call { get; init; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Request), nameof(Call))]
    public bool IsError => Error is not null;

    /// <summary>A context for the prepared call, marked with its prompt; the door sets its caller fields on it.</summary>
    public InferenceContext NewContext(bool isStreaming, TimeProvider timeProvider)
    {
        if (IsError)
        {
            throw new InvalidOperationException("The prompt was not prepared: " + Error.Message);
        }

        var context = InferenceContext.ForChat(Request, isStreaming, timeProvider);
        context.Properties.Set(PromptCall.Key, Call);
        return context;
    }
}
